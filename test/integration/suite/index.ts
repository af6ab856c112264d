// Loaded by the real VS Code extension host (extensionTestsPath): runs every *.test.js next to it with mocha (tdd).
// Prints "N passed, N failed"; a failure rejects, which makes the workbench exit with code 1.
import * as fs from 'node:fs';
import * as path from 'node:path';

// mocha 12 is an ES module; Node 24's require() returns its namespace.
const mochaModule = require('mocha');
const Mocha: typeof import('mocha') = mochaModule.default ?? mochaModule;

export function run(): Promise<void> {
  const grep = process.env.LLM_ROUTER_TEST_GREP;
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec', grep: grep || undefined });
  // LLM_ROUTER_BENCH=1: only the in-host benchmarks (test/bench/vscode.bench.mjs), else only the tests.
  const suffix = process.env.LLM_ROUTER_BENCH ? '.bench.js' : '.test.js';
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith(suffix))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const s = runner.stats;
        console.log(`${s?.passes ?? 0} passed, ${failures} failed${s?.pending ? `, ${s.pending} skipped` : ''}`);
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
        else resolve();
      });
    } catch (e) {
      reject(e);
    }
  });
}
