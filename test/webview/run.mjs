// The cost panel in real Chromium: builds the bundle, serves the real panel page (same HTML and CSP as in VS Code)
// from a harness server that plays the extension host with the real PanelController on a real store and service,
// and checks what a user sees and what lands in the store. Writes screenshots to .test-artifacts/screenshots/
// (UPDATE_SCREENSHOTS=1: to media/screenshots/, the copies the README links, so a plain test run changes no tracked file).
// The shared set-up and helpers are in lib.mjs, the tests in tests/*.mjs (run in this order).
// Usage: node test/webview/run.mjs [filter]      (npm run test:webview)
import { launch } from './browser.mjs';
import { cleanups, setBrowser, tests } from './lib.mjs';
import './tests/figures.mjs';
import './tests/actions.mjs';
import './tests/page.mjs';

const filter = process.argv[2] ?? '';
const browser = await launch();
setBrowser(browser);
let passed = 0;
let failed = 0;
for (const { name, fn } of tests) {
  if (filter && !name.includes(filter)) continue;
  const errors = [];
  try {
    await fn();
  } catch (e) {
    errors.push(e);
  }
  for (const c of cleanups.splice(0)) {
    try {
      await c();
    } catch (e) {
      errors.push(e);
    }
  }
  if (!errors.length) {
    passed++;
    console.log(`  ✓ ${name}`);
    continue;
  }
  failed++;
  console.log(`  ✗ ${name}`);
  for (const e of errors) console.log(`    ${(e?.stack ?? String(e)).split('\n').slice(0, 6).join('\n    ')}`);
}
await browser.close();
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
