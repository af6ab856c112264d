// Alerts in the editor: a monitor that checks the rules after new decisions (throttled, off the request path) and
// shows a notification for each alert that is due; the same alerts go to a Slack-compatible webhook when one is set.
// The webhook URL is a secret: SecretStorage (or $LLM_ROUTER_ALERT_WEBHOOK), never a setting or the log.
import * as vscode from 'vscode';
import type { AlertMonitor } from '../core/alerts/deliver';
import type { AlertSettings } from '../core/alerts/rules';
import { showMarkdown } from './commandInput';
import type { Runtime } from './runtime';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const engine = () => require('./heavyModules') as typeof import('./heavyModules');

export const WEBHOOK_SECRET = 'llm-router.alertWebhook';
const SETTING_KEYS = [
  'enabled',
  'cooldownHours',
  'spikeFactor',
  'spikeMinUsd',
  'budgetThresholds',
  'errorRate',
  'badShare',
] as const;

const reported = new Set<string>();

function alertSettings(rt: Runtime): AlertSettings {
  const c = vscode.workspace.getConfiguration('llmRouter.alerts');
  const raw = Object.fromEntries(
    SETTING_KEYS.map((k) => [k, c.get(k)]).filter(([, v]) => v !== undefined && v !== null),
  );
  const { settings, problems } = engine().alerts.readAlertSettings(raw);
  // Each problem once, not at every check.
  for (const p of problems)
    if (!reported.has(p)) {
      reported.add(p);
      rt.log.warn(`settings: ${p} (the default is used)`);
    }
  return settings;
}

async function webhook(ctx: vscode.ExtensionContext): Promise<string | null> {
  return (await ctx.secrets.get(WEBHOOK_SECRET))?.trim() || process.env[engine().alerts.WEBHOOK_ENV]?.trim() || null;
}

/** Stores a webhook URL (asks for it when not given); a malformed one is refused in words and nothing changes. */
async function setWebhook(rt: Runtime, arg?: unknown): Promise<string | null> {
  const al = engine().alerts;
  const url =
    typeof arg === 'string'
      ? arg
      : await vscode.window.showInputBox({
          title: 'LLM Router: alert webhook',
          prompt: 'A Slack-compatible incoming-webhook URL (kept in SecretStorage)',
          password: true,
          ignoreFocusOut: true,
          validateInput: (v) => (v.trim() ? al.webhookProblem(v) : null),
        });
  if (url === undefined) return 'cancelled';
  const problem = al.webhookProblem(url);
  if (problem) {
    void vscode.window.showErrorMessage(`LLM Router: ${problem}. The webhook was not changed.`);
    return problem;
  }
  await rt.context.secrets.store(WEBHOOK_SECRET, url.trim());
  rt.log.info(`alert webhook set (${al.webhookHost(url)})`);
  void vscode.window.showInformationMessage(`LLM Router: alerts will also go to ${al.webhookHost(url)}.`);
  return null;
}

async function statusMarkdown(rt: Runtime): Promise<string> {
  const al = engine().alerts;
  const s = alertSettings(rt);
  const readings = al.evaluateAlerts(rt.store, rt.service.config, s);
  const url = await webhook(rt.context);
  const lines = readings.map(
    (r) =>
      `- **${r.rule}** ${r.alerts.length ? '(firing)' : ''}: ${r.reading}${r.alerts.map((a) => `\n  - ${a.severity}: ${a.message}`).join('')}`,
  );
  return `# LLM Router: alerts\n\n${s.enabled ? '' : '*Alerts are off (`llmRouter.alerts.enabled`).*\n\n'}${lines.join('\n')}\n\nWebhook: ${url ? al.webhookHost(url) : 'none (LLM Router: Set Alert Webhook)'} · cool-down ${s.cooldownHours} h\n`;
}

export function registerAlerts(rt: Runtime): vscode.Disposable[] {
  let monitor: AlertMonitor | undefined;
  const start = () => {
    monitor?.dispose();
    const al = engine().alerts;
    monitor = al.createAlertMonitor({
      store: rt.store,
      config: () => rt.service.config,
      settings: () => alertSettings(rt),
      webhook: () => webhook(rt.context),
      onError: (m) => rt.log.warn(m),
      notify: (a) => {
        rt.log.warn(`alert: ${a.message}`);
        const show = a.severity === 'critical' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
        void show(`LLM Router: ${a.message}`, 'Open Cost Panel').then((pick) => {
          if (pick) void vscode.commands.executeCommand('llm-router.showCostPanel');
        });
      },
    });
  };
  // The monitor follows the store (a settings change may reopen it).
  void rt.ready.then(start, () => undefined);
  const sub = rt.onDidChangeSettings(() => start());
  const reg = (id: string, fn: (...args: any[]) => unknown) => vscode.commands.registerCommand(`llm-router.${id}`, fn);
  return [
    sub,
    { dispose: () => monitor?.dispose() },
    reg('setAlertWebhook', async (arg?: unknown) => {
      await rt.ready;
      return (await setWebhook(rt, arg)) === null;
    }),
    reg('clearAlertWebhook', async () => {
      await rt.context.secrets.delete(WEBHOOK_SECRET);
      void vscode.window.showInformationMessage('LLM Router: alert webhook removed.');
    }),
    reg('alertsStatus', async (): Promise<string> => {
      await rt.ready;
      const md = await statusMarkdown(rt);
      await showMarkdown(md);
      return md;
    }),
    /** Checks the rules now: notifications and the webhook for what is due (the cool-down applies). */
    reg('checkAlerts', async () => {
      await rt.ready;
      if (!monitor) start();
      return (await monitor!.check()).map((a) => a.message);
    }),
    reg('testAlert', async (): Promise<boolean> => {
      const al = engine().alerts;
      const url = await webhook(rt.context);
      if (!url) {
        void vscode.window.showWarningMessage('LLM Router: no alert webhook is set.', 'Set Alert Webhook').then((p) => {
          if (p) void vscode.commands.executeCommand('llm-router.setAlertWebhook');
        });
        return false;
      }
      const r = await al.postWebhook(url, 'LLM Router: test alert. Alerts will arrive here.');
      if (r.ok)
        void vscode.window.showInformationMessage(`LLM Router: test alert delivered to ${al.webhookHost(url)}.`);
      else void vscode.window.showErrorMessage(`LLM Router: the test alert was not delivered: ${r.error}`);
      return r.ok;
    }),
  ];
}
