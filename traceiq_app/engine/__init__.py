"""TraceIQ's execution engine: pure Python + Playwright, no web app, database, RQ or settings.

Public API (import from the submodules; this package imports nothing heavy on purpose):

- `loader.load_test(path)`, `load_test_text(text, filename)`, `load_test_data(dict, filename)`,
  `dump_test(test, "yaml"|"json")` -> TestDefinition, raising `errors.DefinitionError`
- `runner.Engine(browser="chromium", executable_path=None, headless=True)`:
  `.run(test, RunOptions, reporter=None, source_dir=None) -> TestResult`, `.check_browser()`,
  `.close()` (one warm browser per process, a fresh context per test)
- `results`: RunOptions, TestResult, StepResult, Reporter protocol, NullReporter
- `variables.Masker` (mask secret values in any text), `browser.ensure_ffmpeg()`, `browser.BROWSERS`
- `schema.write_schema()` regenerates `test-format.schema.json`
"""
