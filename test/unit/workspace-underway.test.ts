// A workspace budget counts the requests of that workspace still under way: two requests sent at once, with room for
// one, do not both pass because neither has a cost recorded yet.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setWorkspaceBudget, withWorkspace, workspaceTag } from '../../src/core/projects/workspace';
import { RouteError } from '../../src/core/service-api';
import { useMessagesApi } from './fixtures/service';

describe('workspace budget with requests under way', () => {
  const api = useMessagesApi({ store: 'llmr-ws-underway-' });

  it('room for one request: the second sent at the same time is refused and says what is under way; after, one passes', async () => {
    const dir = path.dirname(api.store().path);
    const folder = path.join(dir, 'capped-project');
    fs.mkdirSync(folder, { recursive: true });
    const ws = workspaceTag(folder);
    const svc = withWorkspace(api.service(), () => ws);
    const prompt = 'What is the capital of Italy?';
    const est = svc.decide({ prompt }).estCostUsd!;
    setWorkspaceBudget(api.store(), ws, est * 1.5, null);
    api.server.setScenario({ kind: 'ok', firstByteDelayMs: 300 });
    const first = svc.run({ prompt, source: 'chat' }, api.client());
    const second = await svc.run({ prompt, source: 'chat' }, api.client()).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(second instanceof RouteError && second.kind === 'blocked', String(second));
    assert.match(
      second.message,
      /workspace "capped-project" would be passed \(\$0\.00 spent of .*, \$[\d.]+ under way,/,
    );
    const done = await first;
    assert.equal(done.record.status, 'ok');
    assert.equal(api.server.messageRequests().length, 1, 'the refused request was not sent');
    // The first one's cost is now spent, and nothing is under way: the next request is judged on the spend alone.
    api.server.setScenario('ok');
    setWorkspaceBudget(api.store(), ws, done.record.costUsd! + est * 1.5, null);
    assert.equal((await svc.run({ prompt, source: 'chat' }, api.client())).record.status, 'ok');
  });
});
