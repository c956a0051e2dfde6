// Replays Chrome Recorder flows with @puppeteer/replay (the reference runner) on puppeteer-core.
// One browser for the whole run, a fresh incognito context per flow (like `traceiq exec`).
// Usage: node replay_runner.mjs [--chromium PATH] FLOW.json...
// Prints one JSON line per flow: {file, title, status, failed_step, error, duration_ms}.
import { readFile } from 'node:fs/promises';
import puppeteer from 'puppeteer-core';
import { createRunner, parse, PuppeteerRunnerExtension } from '@puppeteer/replay';

const args = process.argv.slice(2);
let chromium = process.env.TRACEIQ_CHROMIUM_PATH || '/usr/bin/chromium';
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--chromium') chromium = args[++i];
  else files.push(args[i]);
}

class IndexedExtension extends PuppeteerRunnerExtension {
  index = -1;
  async beforeEachStep(step, flow) {
    this.index += 1;
    await super.beforeEachStep?.(step, flow);
  }
}

const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
let failures = 0;
try {
  for (const file of files) {
    const started = performance.now();
    const flow = parse(JSON.parse(await readFile(file, 'utf8')));
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    const extension = new IndexedExtension(browser, page, { timeout: 5000 });
    const result = { file, title: flow.title, status: 'passed', failed_step: null, error: null };
    try {
      const runner = await createRunner(flow, extension);
      await runner.run();
    } catch (err) {
      failures += 1;
      result.status = 'failed';
      result.failed_step = extension.index;
      result.error = String(err && err.message ? err.message : err).split('\n')[0];
    } finally {
      await context.close().catch(() => {});
    }
    result.duration_ms = Math.round(performance.now() - started);
    console.log(JSON.stringify(result));
  }
} finally {
  await browser.close();
}
process.exitCode = failures ? 1 : 0;
