// Redaction (issue 14 item 12): a server that echoes the key back changed (upper-cased, one character short) must not
// get it into an error, the database's error column or the CLI's stderr; other key-shaped tokens go too.
import * as assert from 'node:assert/strict';
import { defaultConfig } from '../../src/core/config';
import { AnthropicClient } from '../../src/core/provider/anthropic';
import { redactSecrets } from '../../src/core/redact';
import { createRouterService } from '../../src/core/service';
import { RouteError } from '../../src/core/service-api';
import { KEY, assertNoKey, echoServer } from './fixtures/key-echo';
import { runCli } from './fixtures/cli';
import { useTempStores } from './fixtures/temp-store';

// The CLI's stderr (a real process's) is checked in test/process/cli.test.ts.
describe('redaction of keys and key-shaped tokens', function () {
  this.timeout(60_000);
  const temp = useTempStores('llmr-redact-');

  it('removes the exact key, an upper-cased copy and copies cut short, and keeps the words around them', () => {
    const s = redactSecrets(`bad key ${KEY} / ${KEY.toUpperCase()} / ${KEY.slice(0, -1)} / ${KEY.slice(1)} end`, [KEY]);
    assertNoKey(s);
    assert.match(s, /^bad key \[redacted\] \/ \[redacted\] \/ \[redacted\] \/ \[redacted\] end$/);
  });

  it("removes other providers' keys and long random tokens without knowing them", () => {
    const tokens = [
      'sk-proj-aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY',
      'sk-aB3dE5fG7hJ9kL1mN3pQ5rS7tU9',
      'ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z',
      'gho_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1x',
      'github_pat_11ABCDEFG0aB3dE5fG7hJ9_kL1mN3pQ5rS7tU9vW1xY',
      'SK-ANT-ADMIN01-ABCDEFGHIJKLMNOP',
      'Xk9fQ2mZ7pL4vR8tN1bC6yH3wJ5sD0gAeU', // 34 random characters with no known prefix
    ];
    for (const t of tokens) assert.equal(redactSecrets(`token=${t};`), 'token=[redacted];', t);
  });

  it('leaves ordinary text alone: words, decision ids, model names, paths, URLs without credentials', () => {
    const plain =
      'decision 0f8e4c2a-9b1d-4e6f-a3c5-7d9e1b2f4a6c on claude-sonnet-4-6 at /home/user/.local/share/llm-router/router.sqlite ' +
      'via https://api.anthropic.com/v1/messages: 529 overloaded_error, try again; an_unusually_long_identifier_without_digits_at_all';
    assert.equal(redactSecrets(plain), plain);
    assert.equal(redactSecrets('proxy http://me:s3cret@proxy:8080/v1'), 'proxy http://proxy:8080/v1');
  });

  it('an echoing server: the error the user sees and the error column stored in the database carry no copy of the key', async () => {
    const srv = await echoServer();
    try {
      const store = await temp.open();
      const svc = createRouterService({ config: defaultConfig(), store });
      const client = new AnthropicClient({ apiKey: KEY, baseURL: srv.url, maxRetries: 0 });
      let err: unknown;
      try {
        await svc.run({ prompt: 'What is the capital of France?', source: 'cli' }, client);
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof RouteError, `expected a RouteError, got ${String(err)}`);
      assert.match(err.message, /invalid x-api-key \[redacted\]/);
      assertNoKey(err.message);
      const rows = store.listDecisions({ limit: 10 }).rows;
      assert.ok(rows.length >= 1 && rows.some((r) => r.error), 'the failed call left no error in the database');
      for (const r of rows) if (r.error) assertNoKey(r.error);
      // A caller that records a raw message itself (not through the client) is redacted by the store too.
      store.updateDecision(rows[0].id, { error: `upstream said ${KEY.toUpperCase()}` });
      assert.equal(store.getDecision(rows[0].id)?.error, 'upstream said [redacted]');
    } finally {
      await srv.close();
    }
  });

  it("the CLI's own messages on stderr carry no copy of the key from its environment", async () => {
    const r = await runCli(['feedback', `${KEY.toUpperCase()}`, 'up', '--db', temp.file], {
      env: { ANTHROPIC_API_KEY: KEY },
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no decision with id "\[redacted\]"/);
    assertNoKey(r.stderr);
  });
});
