// Shared by the integration suites: the extension's exported API, waiting, and the files it writes.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DecisionRecord } from '../../../src/core/types';
import type { LlmRouterApi } from '../../../src/vscode/extension';

export const EXT_ID = 'llm-router.llm-router';

export async function api(): Promise<LlmRouterApi> {
  const ext = vscode.extensions.getExtension<LlmRouterApi>(EXT_ID);
  if (!ext) throw new Error(`extension ${EXT_ID} is not loaded`);
  const a = ext.isActive ? ext.exports : await ext.activate();
  if (!a) throw new Error(`extension ${EXT_ID} exported nothing: its API exists only in test mode`);
  await a.ready;
  return a;
}

/** Polls until `fn` returns a truthy value; fails with `what` after `ms`. */
export async function until<T>(what: string, fn: () => T | Promise<T>, ms = 20_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every file under `dir` (recursively). */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('llmRouter').update(key, value, vscode.ConfigurationTarget.Global);
}

// The project's local Messages API stand-in, started once in this extension host (it is Node) and set as base URL.
import { startMockAnthropic } from '../../mock-anthropic';
export type Mock = Awaited<ReturnType<typeof startMockAnthropic>>;
// Each suite file is its own bundle: the one server is shared through globalThis.
const shared = globalThis as { __llmRouterMock?: Promise<Mock> };
export function mockServer(): Promise<Mock> {
  shared.__llmRouterMock ??= (async () => {
    const m = await startMockAnthropic({});
    const a = await api();
    await setSetting('baseUrl', m.url);
    await until('the base URL setting', () => a.runtime.settings.baseUrl === m.url.replace(/\/+$/, ''));
    return m;
  })();
  return shared.__llmRouterMock;
}

/** A made-up key: never valid anywhere, easy to grep for. */
export const TEST_KEY = 'sk-ant-test-INTEGRATION-7f3c9a1e5b';

// Each test sets up what it needs itself (a key, a recorded decision), so a suite or a single test passes alone
// (LLM_ROUTER_TEST_GREP) and in any order.

/** The test key in SecretStorage (as Set API Key stores it), for a test that calls a model; also the local server. */
export async function useKey(): Promise<void> {
  const a = await api();
  await mockServer();
  if ((await a.runtime.keys.get())?.key !== TEST_KEY) assert.strictEqual(await a.commands.setApiKey(TEST_KEY), true);
}

/** Records a decision of its own through the real service (a dry run, as `llm-router route --dry-run` does). */
export async function seedDecision(prompt = 'What is the capital of Spain?'): Promise<DecisionRecord> {
  const a = await api();
  const rec = a.runtime.service.dryRun({ prompt, source: 'command' });
  await a.runtime.flush();
  return rec;
}

import type { Handled } from '../../../src/vscode/chat';
export type { Handled };

/** Sends a chat message the way a person does (chat view, the router's own model selected) and waits for @router's result. */
export async function chat(query: string, ms = 30_000): Promise<Handled> {
  const a = await api();
  const done = new Promise<Handled>((resolve) => {
    const sub = a.chat.onDidHandle((e) => {
      sub.dispose();
      resolve(e);
    });
  });
  await vscode.commands.executeCommand('workbench.action.chat.open');
  // The router's own entry once a tier can be reached; before that its list is empty, so the test vendor's model.
  const ours = await vscode.lm.selectChatModels({ vendor: 'llm-router', id: 'router' });
  await vscode.commands.executeCommand(
    'workbench.action.chat.changeModel',
    ours.length
      ? { vendor: 'llm-router', id: 'router', family: 'llm-router' }
      : { vendor: 'test-models', id: 'tm-small', family: 'gpt-5-mini' },
  );
  await vscode.commands.executeCommand('workbench.action.chat.open', { query });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no @router result for "${query}" within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
