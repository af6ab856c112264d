// `llm-router alerts status|test|check`: spend spikes, budget thresholds, error rate and rising bad ratings per tier.
// The webhook URL (Slack-compatible) is a secret: it is read from $LLM_ROUTER_ALERT_WEBHOOK only, never a flag.
import type { Command } from 'commander';
import {
  alertText,
  lastSent,
  postWebhook,
  takeDue,
  webhookHost,
  webhookProblem,
  WEBHOOK_ENV,
} from '../../core/alerts/deliver';
import { DEFAULT_ALERT_SETTINGS, evaluateAlerts } from '../../core/alerts/rules';
import { defaultConfig } from '../../core/config';
import { addDbOption, env, out, setExitCode, warn, withStore } from '../io';

const webhookUrl = (): string | null => env()[WEBHOOK_ENV]?.trim() || null;

export function register(program: Command): void {
  const al = program
    .command('alerts')
    .description(`alerts on spend, budgets, errors and ratings; webhook from $${WEBHOOK_ENV}`);

  addDbOption(
    al
      .command('status')
      .description('what each rule sees now, what fires, and what is in its cool-down')
      .option('--json', 'print machine-readable JSON'),
  ).action(async (opts: { db?: string; json?: boolean }) => {
    await withStore(opts.db, (store) => {
      const s = DEFAULT_ALERT_SETTINGS;
      const readings = evaluateAlerts(store, defaultConfig(), s);
      const url = webhookUrl();
      if (opts.json) {
        out(
          JSON.stringify(
            {
              readings: readings.map((r) => ({
                ...r,
                alerts: r.alerts.map((a) => ({ ...a, lastSent: lastSent(store, a.key) })),
              })),
              webhook: url ? { host: webhookHost(url), problem: webhookProblem(url) } : null,
              settings: s,
            },
            null,
            2,
          ),
        );
        return;
      }
      for (const r of readings) {
        out(`${r.alerts.length ? '●' : '○'} ${r.rule.padEnd(12)} ${r.reading}`);
        for (const a of r.alerts) {
          const t = lastSent(store, a.key);
          out(
            `    ${a.severity}: ${a.message}${t ? ` (sent ${new Date(t).toLocaleString()}; again after ${s.cooldownHours} h)` : ' (not sent yet)'}`,
          );
        }
      }
      out(
        url
          ? `webhook: ${webhookHost(url)}${webhookProblem(url) ? ` — ${webhookProblem(url)}` : ''}`
          : `webhook: none ($${WEBHOOK_ENV} is not set)`,
      );
    });
  });

  al.command('test')
    .description(`send a test alert to the webhook in $${WEBHOOK_ENV}`)
    .action(async () => {
      const url = webhookUrl();
      if (!url) {
        setExitCode(2);
        warn(`no webhook: set $${WEBHOOK_ENV} to your Slack-compatible webhook URL.`);
        return;
      }
      const problem = webhookProblem(url);
      if (problem) throw new Error(`$${WEBHOOK_ENV}: ${problem}. Nothing was sent.`);
      const r = await postWebhook(url, 'LLM Router: test alert. Alerts will arrive here.');
      if (!r.ok) throw new Error(`the test alert was not delivered: ${r.error}`);
      out(`test alert delivered to ${webhookHost(url)} (${r.status})`);
    });

  addDbOption(
    al
      .command('check')
      .description(
        'check the rules now and send what is due to the webhook (for a scheduled job); respects the cool-down',
      ),
  ).action(async (opts: { db?: string }) => {
    const url = webhookUrl();
    if (url && webhookProblem(url)) throw new Error(`$${WEBHOOK_ENV}: ${webhookProblem(url)}. Nothing was sent.`);
    await withStore(opts.db, async (store) => {
      const s = DEFAULT_ALERT_SETTINGS;
      const due = takeDue(store, evaluateAlerts(store, defaultConfig(), s), s.cooldownHours * 3_600_000, Date.now());
      if (!due.length) out('nothing to alert about');
      for (const a of due) {
        out(`${a.severity}: ${a.message}`);
        if (!url) continue;
        const r = await postWebhook(url, alertText(a));
        if (!r.ok) {
          setExitCode(1);
          warn(`not delivered: ${r.error}`);
        }
      }
    });
  });
}
