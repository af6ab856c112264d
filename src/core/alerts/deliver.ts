// Delivering alerts: the cool-down (kept in the decision database's meta table, key `alerts.sent`, so every window
// and the CLI share it), a Slack-compatible webhook (JSON {"text": …}), and the monitor that checks the rules after
// new decisions. The webhook URL is a secret: it comes from SecretStorage or the environment, never from settings,
// is never logged (messages name only its host), and a failing or slow webhook never holds up a request — the
// monitor runs after decisions are recorded, on its own timer, and every post has a timeout.
import type { DecisionStore } from '../store/api';
import type { RouterConfig } from '../types';
import { evaluateAlerts, type Alert, type AlertSettings, type RuleReading } from './rules';

export const SENT_META_KEY = 'alerts.sent';
/** The environment variable the CLI (and VS Code, when no webhook is stored) reads the webhook URL from. */
export const WEBHOOK_ENV = 'LLM_ROUTER_ALERT_WEBHOOK';

/** Why a webhook URL cannot be used, in words, or null when it can: https, or http to this machine (a local relay). */
export function webhookProblem(raw: string): string | null {
  const s = raw.trim();
  if (!s) return 'the webhook URL is empty';
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return 'the webhook URL is not a URL (expected something like https://hooks.slack.com/services/…)';
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && local))
    return `the webhook URL must start with https:// (http:// only to this machine), not ${u.protocol}//`;
  if (u.username || u.password) return 'the webhook URL must not contain a user name or password';
  return null;
}

/** Where a webhook goes, safe to show: its host only (the path of a Slack webhook is the secret). */
export const webhookHost = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
};

export interface PostResult {
  ok: boolean;
  status: number | null;
  error: string | null;
}

/** Posts Slack-compatible JSON; never throws, gives up after `timeoutMs`. */
export async function postWebhook(url: string, text: string, timeoutMs = 5000): Promise<PostResult> {
  const problem = webhookProblem(url);
  if (problem) return { ok: false, status: null, error: problem };
  try {
    const res = await fetch(url.trim(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok
      ? { ok: true, status: res.status, error: null }
      : { ok: false, status: res.status, error: `${webhookHost(url)} answered ${res.status}` };
  } catch (e) {
    const name = (e as Error).name;
    const why =
      name === 'TimeoutError'
        ? `no answer within ${timeoutMs / 1000} s`
        : ((e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message);
    return { ok: false, status: null, error: `${webhookHost(url)}: ${why}` };
  }
}

export const alertText = (a: Alert) =>
  `${a.severity === 'critical' ? ':rotating_light:' : ':warning:'} LLM Router: ${a.message}`;

function sentTimes(store: Pick<DecisionStore, 'getMeta'>): Record<string, number> {
  try {
    const v = JSON.parse(store.getMeta(SENT_META_KEY) ?? '{}') as unknown;
    return v && typeof v === 'object' ? (v as Record<string, number>) : {};
  } catch {
    return {};
  }
}

/** The alerts that fire and are not in their cool-down; marks them sent (old marks are dropped). */
export function takeDue(
  store: Pick<DecisionStore, 'getMeta' | 'setMeta'>,
  readings: RuleReading[],
  cooldownMs: number,
  now: number,
): Alert[] {
  const sent = sentTimes(store);
  const due = readings
    .flatMap((r) => r.alerts)
    .filter((a) => !(sent[a.key] !== undefined && now - sent[a.key] < cooldownMs));
  if (!due.length) return [];
  const keep = Object.fromEntries(
    Object.entries(sent).filter(([, t]) => now - t < Math.max(cooldownMs, 40 * 86_400_000)),
  );
  for (const a of due) keep[a.key] = now;
  store.setMeta(SENT_META_KEY, JSON.stringify(keep));
  return due;
}

/** When each firing alert was last sent (for `alerts status`). */
export function lastSent(store: Pick<DecisionStore, 'getMeta'>, key: string): number | null {
  return sentTimes(store)[key] ?? null;
}

export interface MonitorOptions {
  store: DecisionStore;
  config: () => RouterConfig;
  settings: () => AlertSettings;
  /** Shows an alert to the person (a VS Code notification). */
  notify: (a: Alert) => void;
  /** The webhook URL (SecretStorage or the environment), or null. */
  webhook: () => Promise<string | null>;
  /** A failed delivery, in words (for the log). */
  onError?: (m: string) => void;
  /** Checks at most this often after changes (default 30 s). */
  throttleMs?: number;
  now?: () => number;
}

export interface AlertMonitor {
  /** Checks the rules now and delivers what is due; resolves when webhook posts are done. */
  check(): Promise<Alert[]>;
  dispose(): void;
}

export function createAlertMonitor(o: MonitorOptions): AlertMonitor {
  const now = o.now ?? (() => Date.now());
  const throttle = o.throttleMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  let last = 0;
  let running: Promise<Alert[]> | null = null;

  const check = async (): Promise<Alert[]> => {
    const s = o.settings();
    if (!s.enabled) return [];
    last = now();
    const due = takeDue(o.store, evaluateAlerts(o.store, o.config(), s, last), s.cooldownHours * 3_600_000, last);
    if (!due.length) return due;
    for (const a of due) o.notify(a);
    const url = await o.webhook().catch(() => null);
    if (url) {
      for (const a of due) {
        const r = await postWebhook(url, alertText(a));
        if (!r.ok) o.onError?.(`alert not delivered to the webhook (${r.error}): ${a.message}`);
      }
    }
    return due;
  };
  const schedule = () => {
    if (timer) return;
    const wait = Math.max(0, last + throttle - now());
    timer = setTimeout(() => {
      timer = undefined;
      running ??= check()
        .catch((e) => {
          o.onError?.(`alerts: ${(e as Error).message}`);
          return [];
        })
        .finally(() => {
          running = null;
        });
    }, wait);
    timer.unref?.();
  };
  const unsubscribe = o.store.onDidChange(schedule);
  return {
    check: () =>
      (running ??= check().finally(() => {
        running = null;
      })),
    dispose() {
      unsubscribe();
      if (timer) clearTimeout(timer);
    },
  };
}
