// A/B experiments between two routing configurations. An arm changes any of: the preset, the thresholds, the cascade
// (on/off) and the set of tiers. Each conversation is assigned to an arm by a hash of the experiment id and the
// conversation's first prompt, so every turn of a conversation gets the same arm, in every window and the CLI.
//
// Definitions live in the decision database's meta table (key `experiments`, one JSON list): the store already
// merges meta across processes (last writer wins per key), experiments are created and stopped rarely, and the
// decisions they route carry the experiment id and arm in their own columns (schema 4).
import { createHash } from 'node:crypto';
import { tierIndex, validateConfig } from '../config';
import { applyPreset, isPresetName, PRESET_NAMES, type PresetName } from '../presets';
import type { DecisionStore } from '../store/api';
import type { RouterConfig, Turn } from '../types';

export const ARMS = ['a', 'b'] as const;
export type ArmName = (typeof ARMS)[number];

export interface ArmSpec {
  preset?: PresetName;
  thresholds?: number[];
  cascade?: boolean;
  /** Tier ids to route among (cheapest first as configured); the last one is the arm's top tier. */
  tiers?: string[];
}

export interface Experiment {
  id: string;
  name: string;
  arms: Record<ArmName, ArmSpec>;
  /** Share of conversations that get arm b (default 0.5). */
  splitB: number;
  createdAt: number;
  stoppedAt: number | null;
}

export const EXPERIMENTS_META_KEY = 'experiments';

export class ExperimentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExperimentError';
  }
}

/** Parses "preset=economy,cascade=on,thresholds=0.3/0.8,tiers=haiku/sonnet" (commas or spaces between pairs). */
export function parseArmSpec(text: string, arm: ArmName): ArmSpec {
  const spec: ArmSpec = {};
  const bad = (m: string) => new ExperimentError(`arm ${arm}: ${m}. Nothing was changed.`);
  for (const pair of text.split(/[\s,]+/).filter(Boolean)) {
    const i = pair.indexOf('=');
    if (i <= 0) throw bad(`"${pair}" is not key=value (keys: preset, thresholds, cascade, tiers)`);
    const k = pair.slice(0, i).toLowerCase();
    const v = pair.slice(i + 1);
    if (k === 'preset') {
      if (!isPresetName(v)) throw bad(`unknown preset "${v}": use ${PRESET_NAMES.join(', ')}`);
      spec.preset = v;
    } else if (k === 'thresholds') {
      const t = v.split('/').map(Number);
      if (!t.length || t.some((x) => !(x >= 0 && x <= 1)))
        throw bad(`thresholds "${v}": numbers between 0 and 1 separated by "/", e.g. 0.3/0.8`);
      spec.thresholds = t;
    } else if (k === 'cascade') {
      if (!['on', 'off', 'true', 'false'].includes(v)) throw bad(`cascade "${v}": on or off`);
      spec.cascade = v === 'on' || v === 'true';
    } else if (k === 'tiers') {
      spec.tiers = v
        .split('/')
        .map((x) => x.trim())
        .filter(Boolean);
      if (!spec.tiers.length) throw bad('tiers: name at least one tier, e.g. haiku/sonnet');
    } else {
      throw bad(`unknown setting "${k}" (use preset, thresholds, cascade, tiers)`);
    }
  }
  return spec;
}

/** The routing configuration of an arm on top of the user's. Throws ExperimentError when the arm cannot route. */
export function armConfig(base: RouterConfig, spec: ArmSpec, arm: ArmName): RouterConfig {
  let cfg: RouterConfig = { ...base, tiers: base.tiers.map((t) => ({ ...t })) };
  if (spec.tiers) {
    const idx = spec.tiers.map((name) => {
      const i = tierIndex(base, name);
      if (i < 0)
        throw new ExperimentError(
          `arm ${arm}: unknown tier "${name}" (use ${base.tiers.map((t) => t.id).join(', ')}). Nothing was changed.`,
        );
      return i;
    });
    cfg.tiers = [...new Set(idx)].sort((x, y) => x - y).map((i) => ({ ...base.tiers[i] }));
  }
  const preset = spec.preset ?? base.preset;
  // A preset (or a new set of tiers, which needs its thresholds and floors refitted) sets the routing afresh.
  if (spec.preset || spec.tiers) cfg = applyPreset(cfg, preset ?? 'balanced');
  if (spec.thresholds) cfg = { ...cfg, thresholds: spec.thresholds };
  const problems = validateConfig(cfg);
  if (problems.length) throw new ExperimentError(`arm ${arm}: ${problems.join('; ')}. Nothing was changed.`);
  return cfg;
}

/** A short description of an arm ("preset economy, cascade on"). */
export function describeArm(spec: ArmSpec): string {
  const parts: string[] = [];
  if (spec.preset) parts.push(`preset ${spec.preset}`);
  if (spec.thresholds) parts.push(`thresholds ${spec.thresholds.join('/')}`);
  if (spec.cascade !== undefined) parts.push(`cascade ${spec.cascade ? 'on' : 'off'}`);
  if (spec.tiers) parts.push(`tiers ${spec.tiers.join('/')}`);
  return parts.join(', ') || 'your settings';
}

/** The conversation's key: its first user prompt (the prompt itself when it starts the conversation). */
export function conversationKey(prompt: string, history?: readonly Turn[]): string {
  const first = history?.find((t) => t.role === 'user')?.content ?? prompt;
  return first.trim();
}

/** The arm of a conversation: a hash of the experiment id and the conversation key, the same every time. */
export function assignArm(exp: Pick<Experiment, 'id' | 'splitB'>, key: string): ArmName {
  const h = createHash('sha256').update(`${exp.id}\n${key}`).digest();
  return h.readUInt32BE(0) / 2 ** 32 < exp.splitB ? 'b' : 'a';
}

export function listExperiments(store: Pick<DecisionStore, 'getMeta'>): Experiment[] {
  const raw = store.getMeta(EXPERIMENTS_META_KEY);
  if (!raw) return [];
  try {
    const v = JSON.parse(raw) as unknown;
    return Array.isArray(v) ? (v as Experiment[]).filter((e) => e && typeof e.id === 'string' && e.arms) : [];
  } catch {
    return [];
  }
}

export const activeExperiment = (store: Pick<DecisionStore, 'getMeta'>): Experiment | null =>
  listExperiments(store).find((e) => e.stoppedAt === null) ?? null;

export interface CreateExperiment {
  name: string;
  a: ArmSpec;
  b: ArmSpec;
  splitB?: number;
  now?: number;
}

/** Checks both arms against the configuration and stores the experiment; only one runs at a time. */
export function createExperiment(
  store: Pick<DecisionStore, 'getMeta' | 'setMeta'>,
  base: RouterConfig,
  c: CreateExperiment,
): Experiment {
  const name = c.name.trim();
  if (!name) throw new ExperimentError('an experiment needs a name (--name). Nothing was changed.');
  const splitB = c.splitB ?? 0.5;
  if (!(splitB > 0 && splitB < 1))
    throw new ExperimentError(
      `--split: the share for arm b is between 0 and 1 (exclusive), not ${c.splitB}. Nothing was changed.`,
    );
  armConfig(base, c.a, 'a');
  armConfig(base, c.b, 'b');
  if (JSON.stringify(c.a) === JSON.stringify(c.b))
    throw new ExperimentError(
      'arms a and b are the same configuration: there would be nothing to compare. Nothing was changed.',
    );
  const all = listExperiments(store);
  const running = all.find((e) => e.stoppedAt === null);
  if (running)
    throw new ExperimentError(
      `experiment "${running.name}" is still running: stop it first (llm-router experiment stop). Nothing was changed.`,
    );
  const exp: Experiment = {
    id: globalThis.crypto.randomUUID(),
    name,
    arms: { a: c.a, b: c.b },
    splitB,
    createdAt: c.now ?? Date.now(),
    stoppedAt: null,
  };
  store.setMeta(EXPERIMENTS_META_KEY, JSON.stringify([...all, exp]));
  return exp;
}

/** Finds an experiment by id, id prefix or name; without one, the running one (else the latest). */
export function findExperiment(store: Pick<DecisionStore, 'getMeta'>, which?: string): Experiment {
  const all = listExperiments(store);
  if (!all.length) throw new ExperimentError('no experiment yet: create one with `llm-router experiment create`');
  if (!which) return all.find((e) => e.stoppedAt === null) ?? all[all.length - 1];
  const w = which.trim().toLowerCase();
  const hit = all.find((e) => e.id === w || e.name.toLowerCase() === w) ?? all.find((e) => e.id.startsWith(w));
  if (!hit) throw new ExperimentError(`no experiment "${which}": there are ${all.map((e) => e.name).join(', ')}`);
  return hit;
}

export function stopExperiment(
  store: Pick<DecisionStore, 'getMeta' | 'setMeta'>,
  which?: string,
  now = Date.now(),
): Experiment {
  const exp = findExperiment(store, which);
  if (exp.stoppedAt !== null)
    throw new ExperimentError(
      `experiment "${exp.name}" was already stopped on ${new Date(exp.stoppedAt).toISOString()}`,
    );
  const all = listExperiments(store).map((e) => (e.id === exp.id ? { ...e, stoppedAt: now } : e));
  store.setMeta(EXPERIMENTS_META_KEY, JSON.stringify(all));
  return { ...exp, stoppedAt: now };
}
