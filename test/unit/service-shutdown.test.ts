// Issue 14, item 3: VS Code shutting down mid-answer (deactivate → Runtime.close → service.cancelAll) records what
// the answer had received, as cancelled with its tokens and cost, and releases its budget reservation before the
// database closes.
import * as assert from 'node:assert/strict';
import { defaultConfig } from '../../src/core/config';
import { usageCost } from '../../src/core/pricing';
import { AnthropicClient } from '../../src/core/provider/anthropic';
import { createRouterService } from '../../src/core/service';
import { RouteError } from '../../src/core/service-api';
import { openStore } from '../../src/core/store';
import { startMockAnthropic, type MockAnthropic } from '../mock-anthropic';
import { useTempStores } from './fixtures/temp-store';

const KEY = 'sk-ant-shutdown-test-91c3';

describe('service.cancelAll (the extension deactivating mid-answer)', () => {
  const t = useTempStores('llmr-shutdown-');
  let mock: MockAnthropic;
  let client: AnthropicClient;
  before(async () => {
    mock = await startMockAnthropic({ apiKey: KEY, scenario: { kind: 'slow', delayMs: 60, words: 300 } });
    client = new AnthropicClient({ apiKey: KEY, baseURL: mock.url, maxRetries: 0 });
  });
  after(async () => {
    await mock.close();
  });

  it('stops every answer under way, records what each received (cancelled, tokens, cost) and releases its reservation', async () => {
    const store = await t.open();
    store.setBudget({ dailyLimitUsd: 5, monthlyLimitUsd: null, onExhausted: 'block' });
    const config = defaultConfig();
    const svc = createRouterService({ config, store });
    const shown = ['', ''];
    let bothStarted!: () => void;
    const started = new Promise<void>((r) => {
      bothStarted = r;
    });
    const runs = ['Tell me a long story about a lighthouse.', 'Write a long poem about the sea.'].map((prompt, i) =>
      svc
        .run(
          {
            prompt,
            source: 'chat',
            maxTokens: 2000,
            onText: (x) => {
              shown[i] += x;
              if (shown.every((s) => s.length > 20)) bothStarted();
            },
          },
          client,
        )
        .then(
          () => assert.fail('the answer should have been stopped'),
          (e: unknown) => e,
        ),
    );
    await started;
    assert.equal(store.reservations.list().length, 2, 'both calls hold their worst case');
    await svc.cancelAll();
    // Recorded by the time cancelAll resolves (deactivate closes the store right after).
    const rows = store.listDecisions().rows;
    assert.deepEqual(
      rows.map((r) => r.status),
      ['cancelled', 'cancelled'],
    );
    for (const r of rows) {
      assert.ok(r.usage && r.usage.inputTokens > 0 && r.usage.outputTokens > 5, JSON.stringify(r.usage));
      assert.equal(r.costUsd, usageCost(config, r.model, r.usage));
    }
    assert.deepEqual(store.reservations.list(), [], 'the reservations were released');
    for (const e of await Promise.all(runs)) assert.ok(e instanceof RouteError && e.kind === 'cancelled');
    await store.close();
    const again = await openStore({ path: t.file });
    t.closeAfter(again);
    assert.deepEqual(
      again.listDecisions().rows.map((r) => r.status),
      ['cancelled', 'cancelled'],
      'and saved on close',
    );
  });

  it('resolves at once with nothing under way', async () => {
    const svc = createRouterService({ config: defaultConfig(), store: await t.open() });
    await svc.cancelAll();
  });
});
