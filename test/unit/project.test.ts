// Per-project spend: each decision records its workspace (folder name + stable id, never the path) and client; spend
// splits and filters by them; a workspace budget refuses that workspace's requests at its limit. Real store, real
// service against the local Messages API, and the CLI run from two project folders.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultConfig } from '../../src/core/config';
import { exportText } from '../../src/core/export';
import { resolveWorkspace, setWorkspaceBudget, withWorkspace, workspaceTag } from '../../src/core/projects/workspace';
import { AnthropicClient } from '../../src/core/provider/anthropic';
import { createRouterService } from '../../src/core/service';
import { RouteError } from '../../src/core/service-api';
import { openStore } from '../../src/core/store';
import { runCli } from './fixtures/cli';
import { makeRecord } from './fixtures/store-records';
import { useTempStores } from './fixtures/temp-store';
import { startMockAnthropic, type MockAnthropic } from '../mock-anthropic';

const config = defaultConfig();
const KEY = 'sk-ant-project-test-5e11';

describe('per-project spend', () => {
  const t = useTempStores('llmr-project-');
  let mock: MockAnthropic;
  let client: AnthropicClient;
  before(async () => {
    mock = await startMockAnthropic({ apiKey: KEY });
    client = new AnthropicClient({ apiKey: KEY, baseURL: mock.url, maxRetries: 0 });
  });
  after(async () => {
    await mock.close();
  });
  beforeEach(() => mock.reset());

  const folder = (name: string) => {
    const p = path.join(t.dir, 'projects', name);
    fs.mkdirSync(p, { recursive: true });
    return p;
  };

  it('a workspace is its folder name and a stable id; the path never reaches the database file', async () => {
    const a = folder('billing-service');
    const tag = workspaceTag(a);
    assert.equal(tag.name, 'billing-service');
    assert.match(tag.id, /^[0-9a-f]{16}$/);
    assert.deepEqual(workspaceTag(a + path.sep), tag, 'the same folder, the same id');
    assert.notEqual(workspaceTag(folder('web-app')).id, tag.id);
    const store = await t.open({ promptStorage: 'full' });
    const svc = withWorkspace(createRouterService({ config, store }), () => tag);
    const o = await svc.run({ prompt: 'What is a closure in JavaScript?', source: 'chat' }, client);
    const rec = store.getDecision(o.record.id)!;
    assert.equal(rec.workspaceName, 'billing-service');
    assert.equal(rec.workspaceId, tag.id);
    assert.equal(rec.source, 'chat');
    await store.flush();
    const bytes = fs.readFileSync(store.path).toString('latin1');
    assert.ok(bytes.includes(tag.id) && !bytes.includes(a), 'id stored, path not');
  });

  it('spend splits by workspace and by client, and filters by either; export too', async () => {
    const store = await t.open();
    const A = workspaceTag(folder('alpha'));
    const B = workspaceTag(folder('beta'));
    const ins = (id: string, ws: typeof A | null, source: 'chat' | 'cli' | 'model-provider', cost: number) =>
      store.insertDecision(
        makeRecord(id, { source, costUsd: cost, ...(ws ? { workspaceName: ws.name, workspaceId: ws.id } : {}) }),
      );
    ins('a1', A, 'chat', 0.03);
    ins('a2', A, 'model-provider', 0.01);
    ins('b1', B, 'cli', 0.005);
    ins('n1', null, 'cli', 0.001);
    const byWs = store.breakdown({ by: 'workspace' }).map((r) => [r.name, r.requests, r.spendUsd]);
    assert.deepEqual(byWs, [
      ['alpha', 2, 0.04],
      ['beta', 1, 0.005],
      [null, 1, 0.001],
    ]);
    const bySource = store.breakdown({ by: 'source', workspaceId: A.id }).map((r) => [r.key, r.spendUsd]);
    assert.deepEqual(bySource, [
      ['chat', 0.03],
      ['model-provider', 0.01],
    ]);
    assert.deepEqual(
      store.breakdown({ by: 'workspace', source: 'cli' }).map((r) => r.name),
      ['beta', null],
    );
    assert.deepEqual(resolveWorkspace(store, 'beta'), B);
    assert.throws(() => resolveWorkspace(store, 'gamma'), /no workspace "gamma" in the database: .*alpha, beta/);
    const csv = exportText(store, 'csv', undefined, { workspaceId: A.id }).text.trim().split('\n');
    assert.equal(csv.length, 3);
    assert.ok(csv[0].endsWith('workspaceName,workspaceId,workflowId,workflowStep,experimentId,experimentArm'));
    assert.ok(csv.slice(1).every((l) => l.includes(`,alpha,${A.id},`)));
    assert.equal(JSON.parse(exportText(store, 'json', undefined, { source: 'cli' }).text).length, 2);
  });

  it("a workspace budget refuses that workspace's requests (recorded as blocked, nothing sent); others go on", async () => {
    const store = await t.open();
    const A = workspaceTag(folder('capped'));
    const B = workspaceTag(folder('free'));
    const svcA = withWorkspace(createRouterService({ config, store }), () => A);
    const svcB = withWorkspace(createRouterService({ config, store }), () => B);
    await svcA.run({ prompt: 'What is the capital of Italy?', source: 'chat' }, client);
    const spent = store.breakdown({ by: 'workspace', workspaceId: A.id })[0].spendUsd;
    setWorkspaceBudget(store, A, spent * 1.01, null);
    const sent = mock.messageRequests().length;
    let err: unknown;
    try {
      await svcA.run({ prompt: 'What is the capital of Spain?', source: 'chat' }, client);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof RouteError && err.kind === 'blocked', String(err));
    assert.match(
      err.message,
      /The daily budget of workspace "capped" would be passed \(\$[\d.]+ spent of \$[\d.]+, this request about \$[\d.]+\): the request was not sent\./,
    );
    assert.equal(mock.messageRequests().length, sent, 'nothing sent');
    const blocked = store.listDecisions({ status: 'blocked' }).rows;
    assert.equal(blocked.length, 1);
    assert.equal(blocked[0].workspaceId, A.id);
    const ok = await svcB.run({ prompt: 'What is the capital of Spain?', source: 'chat' }, client);
    assert.equal(ok.record.status, 'ok');
    assert.throws(() => setWorkspaceBudget(store, A, -1, null), /--daily: "-1" is not an amount/);
  });

  it('CLI: requests are recorded under the folder they run in; stats --by workspace|client, filters, workspace budgets', async () => {
    const db = path.join(t.dir, 'cli.sqlite');
    const cli = async (cwd: string, args: string[]) => {
      const r = await runCli(args, {
        cwd,
        env: { LLM_ROUTER_DB: db, ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: mock.url },
      });
      return { code: r.code, out: r.stdout, err: r.stderr };
    };
    const api = folder('api-server');
    const docs = folder('docs-site');
    assert.equal((await cli(api, ['route', 'What is REST?'])).code, 0);
    assert.equal((await cli(api, ['route', 'What is gRPC?'])).code, 0);
    assert.equal((await cli(docs, ['route', 'What is Markdown?'])).code, 0);
    let r = await cli(api, ['stats', '--by', 'workspace']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`api-server \\(${workspaceTag(api).id.slice(0, 8)}\\)\\s+2 `));
    assert.match(r.out, /docs-site \([0-9a-f]{8}\)\s+1 /);
    r = await cli(api, ['stats', '--by', 'client', '--workspace', 'docs-site', '--json']);
    const j = JSON.parse(r.out);
    assert.deepEqual(
      j.rows.map((x: { key: string; requests: number }) => [x.key, x.requests]),
      [['cli', 1]],
    );
    r = await cli(api, ['stats', '--client', 'bogus']);
    assert.equal(r.code, 1);
    assert.match(r.err, /--client: "bogus" is not one of chat, model-picker, command, cli, endpoint/);
    r = await cli(api, ['budget', 'workspace', 'set', '.', '--daily', '0.000001']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /api-server \([0-9a-f]{8}\): today \$0\.\d+ of \$0\.00000/);
    r = await cli(api, ['route', 'What is SOAP?']);
    assert.equal(r.code, 1);
    assert.match(r.err, /The daily budget of workspace "api-server" would be passed/);
    assert.equal((await cli(docs, ['route', 'What is AsciiDoc?'])).code, 0, 'another workspace is not limited');
    const s = await openStore({ path: db });
    try {
      assert.equal(s.listDecisions({ workspaceId: workspaceTag(docs).id }).total, 2);
    } finally {
      await s.close();
    }
  });
});
