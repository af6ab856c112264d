// One meaning for a period: the panel's "7 days" and the CLI's --since 7d start at the same local midnight.
import * as assert from 'node:assert/strict';
import { parseSince } from '../../src/core/period';
import { periodSince } from '../../src/panel/viewModel';
import { runCli } from './fixtures/cli';

describe('periods', () => {
  const now = new Date(2026, 10, 22, 15, 30).getTime();

  it('7d and 30d are today and the 6 / 29 calendar days before, from local midnight; 2w is 14 days; 24h is rolling', () => {
    assert.equal(parseSince('7d', now), new Date(2026, 10, 16).getTime());
    assert.equal(parseSince('30d', now), new Date(2026, 9, 24).getTime());
    assert.equal(parseSince('2w', now), new Date(2026, 10, 9).getTime());
    assert.equal(parseSince('1d', now), parseSince('today', now));
    assert.equal(parseSince('24h', now), now - 24 * 3_600_000);
    assert.equal(parseSince('month', now), new Date(2026, 10, 1).getTime());
    assert.equal(parseSince('2026-11-01', now), new Date(2026, 10, 1).getTime());
    assert.equal(parseSince('all', now), undefined);
  });

  it('the panel uses the same definition for each of its periods', () => {
    for (const p of ['today', '7d', '30d', 'all'] as const) assert.equal(periodSince(p, now), parseSince(p, now), p);
  });

  it('refuses what is not a period, in words: fractional days, 0d, an impossible date', () => {
    for (const bad of ['1.5d', '0d', '2026-02-30', 'yesterdayish'])
      assert.throws(() => parseSince(bad, now), /--since: expected/, bad);
  });

  it('llm-router stats --since 7d reports the period starting where the panel\'s "7 days" starts', async () => {
    const r = await runCli(['stats', '--json', '--since', '7d']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { period: { since: string; until: string } };
    assert.equal(new Date(j.period.since).getTime(), periodSince('7d', new Date(j.period.until).getTime()));
    const help = (await runCli(['stats', '--help'])).stdout.replace(/\s+/g, ' ');
    assert.match(help, /7d \(today and the 6 days before, from local midnight, as the panel's "7 days"\)/);
  });
});
