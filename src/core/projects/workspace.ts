// Per-project spend: which workspace a request came from, and budgets per workspace.
//
// A workspace is recorded as its folder name and a stable id: the first 16 hex digits of a SHA-256 of its real
// absolute path, so the same folder has the same id in VS Code and in the CLI, while the path itself is never
// stored. The client is the decision's `source` (chat, model-provider = the model picker, command, cli, endpoint).
// Budgets per workspace live in the meta table (key `budgets.workspaces`); at the limit a request from that
// workspace is refused (recorded as blocked, nothing sent), on top of the overall budget.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatUsd } from '../format';
import { RouteError, type RouteRequest, type RouterService } from '../service-api';
import type { DecisionStore } from '../store/api';
import { dayStart, monthStart } from '../store/days';
import { record } from '../service/records';
import type { Decision } from '../types';

export interface WorkspaceTag {
  name: string;
  id: string;
}

export function workspaceTag(folder: string): WorkspaceTag {
  let real = path.resolve(folder);
  try {
    real = fs.realpathSync.native(real);
  } catch {
    // a folder that is gone still gets an id from its path
  }
  return { name: path.basename(real) || real, id: createHash('sha256').update(real).digest('hex').slice(0, 16) };
}

export interface WorkspaceBudget {
  name: string;
  dailyLimitUsd: number | null;
  monthlyLimitUsd: number | null;
}

export const WORKSPACE_BUDGETS_KEY = 'budgets.workspaces';

export function workspaceBudgets(store: Pick<DecisionStore, 'getMeta'>): Record<string, WorkspaceBudget> {
  try {
    const v = JSON.parse(store.getMeta(WORKSPACE_BUDGETS_KEY) ?? '{}') as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, WorkspaceBudget>) : {};
  } catch {
    return {};
  }
}

const limit = (v: number | null | undefined, what: string): number | null => {
  if (v === null || v === undefined) return null;
  if (!Number.isFinite(v) || v < 0)
    throw new Error(`${what}: "${v}" is not an amount in dollars ≥ 0. Nothing was changed.`);
  return v;
};

/** Sets (or with both limits null, removes) a workspace's budget. */
export function setWorkspaceBudget(
  store: Pick<DecisionStore, 'getMeta' | 'setMeta'>,
  ws: WorkspaceTag,
  daily: number | null,
  monthly: number | null,
): void {
  const b = { name: ws.name, dailyLimitUsd: limit(daily, '--daily'), monthlyLimitUsd: limit(monthly, '--monthly') };
  const all = workspaceBudgets(store);
  if (b.dailyLimitUsd === null && b.monthlyLimitUsd === null) delete all[ws.id];
  else all[ws.id] = b;
  store.setMeta(WORKSPACE_BUDGETS_KEY, JSON.stringify(all));
}

/** What a workspace has spent today and this month (detailed rows of that workspace). */
export function workspaceSpend(store: DecisionStore, id: string, now: number): { today: number; month: number } {
  const sum = (since: number) =>
    store.breakdown({ by: 'workspace', workspaceId: id, since }).reduce((s, r) => s + r.spendUsd, 0);
  return { today: sum(dayStart(now)), month: sum(monthStart(now)) };
}

/**
 * Why a request from this workspace would pass its budget (its estimate on top of what it spent and of the estimates
 * of its requests still under way in this process), or null.
 */
export function workspaceRefusal(
  store: DecisionStore,
  ws: WorkspaceTag,
  estimateUsd: number,
  now: number,
  underWayUsd = 0,
): string | null {
  const b = workspaceBudgets(store)[ws.id];
  if (!b) return null;
  const spent = workspaceSpend(store, ws.id, now);
  for (const [which, lim, s] of [
    ['daily', b.dailyLimitUsd, spent.today],
    ['monthly', b.monthlyLimitUsd, spent.month],
  ] as const) {
    if (lim !== null && s + underWayUsd + estimateUsd > lim) {
      const flying = underWayUsd > 0 ? `, ${formatUsd(underWayUsd)} under way` : '';
      return `The ${which} budget of workspace "${ws.name}" would be passed (${formatUsd(s)} spent of ${formatUsd(lim)}${flying}, this request about ${formatUsd(estimateUsd)}): the request was not sent.`;
    }
  }
  return null;
}

/** The estimates of each workspace's requests under way in this process, per store (every wrapper of one store shares it). */
const underWayByStore = new WeakMap<DecisionStore, Map<string, number>>();

function underWay(store: DecisionStore): Map<string, number> {
  let m = underWayByStore.get(store);
  if (!m) underWayByStore.set(store, (m = new Map()));
  return m;
}

/** Records the request as blocked by its workspace's budget (nothing sent) and throws the RouteError that says why. */
function refuseForWorkspace(store: DecisionStore, r: RouteRequest, d: Decision, why: string): never {
  const blocked = { ...d, blocked: true, reasons: [...d.reasons, `workspace budget: ${why}`] };
  record(store, blocked, r, 'blocked', null, why);
  throw new RouteError('blocked', why, d);
}

/**
 * The service as one workspace uses it: every request is recorded with the workspace (unless the caller set one),
 * and a request that would pass the workspace's budget is refused and recorded as blocked.
 */
export function withWorkspace(
  base: RouterService,
  tag: () => WorkspaceTag | null,
  now: () => number = Date.now,
): RouterService {
  const fill = <R extends Pick<RouteRequest, 'workspace'>>(req: R): R =>
    req.workspace !== undefined ? req : { ...req, workspace: tag() };
  const overrides: Partial<RouterService> = {
    dryRun: (req) => base.dryRun(fill(req)),
    async run(req, client) {
      const r = fill(req);
      const ws = r.workspace;
      if (!ws) return base.run(r, client);
      const d = base.decide(r);
      const est = d.estCostUsd ?? 0;
      const flying = underWay(base.store);
      const why = workspaceRefusal(base.store, ws, est, now(), flying.get(ws.id) ?? 0);
      if (why) refuseForWorkspace(base.store, r, d, why);
      flying.set(ws.id, (flying.get(ws.id) ?? 0) + est);
      try {
        return await base.run(r, client);
      } finally {
        const left = (flying.get(ws.id) ?? 0) - est;
        if (left > 1e-12) flying.set(ws.id, left);
        else flying.delete(ws.id);
      }
    },
  };
  // Everything else is the base service itself (its getters stay live, methods added later pass through).
  return new Proxy(base, {
    get(t, k) {
      if (k in overrides) return overrides[k as keyof RouterService];
      const v = Reflect.get(t, k, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

/** A workspace given on the command line: its id (16 hex digits), a folder (its tag), or a recorded folder name. */
export function resolveWorkspace(store: DecisionStore, arg: string): WorkspaceTag {
  const a = arg.trim();
  if (/^[0-9a-f]{16}$/.test(a)) {
    const row = store.breakdown({ by: 'workspace', workspaceId: a })[0];
    return { id: a, name: row?.name ?? workspaceBudgets(store)[a]?.name ?? a };
  }
  if (a === '.' || a.includes('/') || a.includes('\\') || (fs.existsSync(a) && fs.statSync(a).isDirectory()))
    return workspaceTag(a);
  const known = store.breakdown({ by: 'workspace' }).filter((r) => r.key !== null);
  const named = [
    ...known.map((r) => ({ id: r.key!, name: r.name ?? '' })),
    ...Object.entries(workspaceBudgets(store)).map(([id, b]) => ({ id, name: b.name })),
  ];
  const hits = [
    ...new Map(named.filter((w) => w.name.toLowerCase() === a.toLowerCase()).map((w) => [w.id, w])).values(),
  ];
  if (hits.length === 1) return hits[0];
  if (hits.length > 1)
    throw new Error(
      `${hits.length} workspaces are called "${a}": give one of their ids (${hits.map((h) => h.id).join(', ')})`,
    );
  throw new Error(
    `no workspace "${a}" in the database: give a folder, a workspace id, or one of ${[...new Set(named.map((w) => w.name))].join(', ') || '(none recorded yet)'}`,
  );
}
