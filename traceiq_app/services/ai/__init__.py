"""AI: optional help from a language model behind any OpenAI-compatible chat completions
endpoint (`client`: settings, timeouts, retries, audit log without secrets), the per-project
opt-in and rate limit (`access`), test generation from a description with schema validation,
bounded retries and an offline fallback (`generate`), and failure explanations with an offline
fallback (`explain`; `explain_result` for the run page's "Explain this failure" button), the dry
run's screenshots kept with a draft (`draft_screens`), and ranking near-tied healing candidates
for the healer (`rank`).

May call: platform, catalog (to save a generated test as a draft), runs (read-only: the failed
result that `explain_result` explains)."""
