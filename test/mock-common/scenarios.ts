// The scenario plumbing both stand-ins share: which kinds exist, `[[mock:kind key=value …]]` markers in a prompt, and
// the book of standing scenarios (a default, one per model) and one-shot ones queued for the next requests.

export interface BaseScenario {
  kind: string;
}

/** The known kinds: a guard, and a normaliser that copies a scenario and throws on an unknown kind. */
export function scenarioKinds<K extends string, S extends { kind: K }>(
  kinds: readonly K[],
  opts: { listKnown: boolean },
): { isKind(s: string): s is K; norm(s: S | K): S } {
  const known = new Set<string>(kinds);
  const isKind = (s: string): s is K => known.has(s);
  return {
    isKind,
    norm(s) {
      const sc = (typeof s === 'string' ? { kind: s } : { ...s }) as S;
      if (!isKind(sc.kind))
        throw new Error(
          `unknown mock scenario "${sc.kind}"${opts.listKnown ? ` (known: ${[...known].join(', ')})` : ''}`,
        );
      return sc;
    },
  };
}

/** How a marker's `key=value` arguments set a scenario's fields: by number (`delay=50`) or, for a few, by word. */
export interface MarkerArgs<S> {
  numbers: ReadonlyMap<string, keyof S>;
  words?: ReadonlyMap<string, keyof S>;
}

/** A marker found in a prompt: the scenario it asks for, how many times (`times=`; null: always), its own text. */
export interface Marker<S> {
  scenario: S;
  times: number | null;
  raw: string;
}

/** The first marker `re` finds in `text`, or null (also for an unknown kind). */
export function parseMarker<S extends BaseScenario>(
  text: string,
  re: RegExp,
  isKind: (k: string) => boolean,
  args: MarkerArgs<S>,
): Marker<S> | null {
  const m = re.exec(text);
  if (!m) return null;
  const [kind, ...rest] = m[1].trim().split(/\s+/);
  if (!isKind(kind)) return null;
  const s = { kind } as S;
  const fields = s as Record<keyof S, unknown>;
  let times: number | null = null;
  for (const a of rest) {
    const [k, v] = a.split('=');
    const word = args.words?.get(k);
    if (word && v) {
      fields[word] = v;
      continue;
    }
    const n = Number(v);
    if (!Number.isFinite(n)) continue;
    const field = args.numbers.get(k);
    if (field) fields[field] = n;
    else if (k === 'times') times = n;
  }
  return { scenario: s, times, raw: m[0] };
}

/** The standing and one-shot scenarios of a stand-in, and how often each marker has been seen. */
export class ScenarioBook<S extends BaseScenario> {
  private fallback: S;
  private readonly perModel = new Map<string, S>();
  private readonly oneShots: { scenario: S; left: number; model?: string }[] = [];
  private readonly markerCounts = new Map<string, number>();

  constructor(
    initial: S,
    private readonly norm: (s: S | S['kind']) => S,
    /** The default scenario after reset(). */
    private readonly resetTo: () => S,
  ) {
    this.fallback = initial;
  }

  /** Sets the default scenario, or the scenario of one model (`null` clears a model's; the default goes to 'ok'). */
  set(s: S | S['kind'] | null, o?: { model?: string }): void {
    if (o?.model) {
      if (s === null) this.perModel.delete(o.model);
      else this.perModel.set(o.model, this.norm(s));
    } else this.fallback = s === null ? ({ kind: 'ok' } as S) : this.norm(s);
  }

  /** One-shot scenarios: the next `times` (default 1) requests (of `model`, if given) get `s`. */
  queue(s: S | S['kind'], o?: { times?: number; model?: string }): void {
    const times = o?.times ?? 1;
    if (times > 0) this.oneShots.push({ scenario: this.norm(s), left: times, model: o?.model });
  }

  reset(): void {
    this.fallback = this.resetTo();
    this.perModel.clear();
    this.oneShots.length = 0;
    this.markerCounts.clear();
  }

  /** How often the marker under `key` was seen before; counts this sighting. */
  sighting(key: string): number {
    const n = this.markerCounts.get(key) ?? 0;
    this.markerCounts.set(key, n + 1);
    return n;
  }

  /** The next one-shot scenario for `model` (used up), else the standing one. */
  next(model: string): S {
    const i = this.oneShots.findIndex((q) => !q.model || q.model === model);
    if (i >= 0) {
      const q = this.oneShots[i];
      if (--q.left <= 0) this.oneShots.splice(i, 1);
      return q.scenario;
    }
    return this.standing(model);
  }

  /** The model's own scenario, else the default. */
  standing(model: string): S {
    return this.perModel.get(model) ?? this.fallback;
  }
}

/** What a stand-in's handle offers for its scenarios, and for its records and keys. */
export interface MockControls<S extends BaseScenario, R> {
  url: string;
  /** Every request, oldest first (cleared in place by reset()). */
  requests: R[];
  /** Sets the default scenario, or the scenario of one model (`null` clears a model's). */
  setScenario(s: S | S['kind'] | null, opts?: { model?: string }): void;
  /** One-shot scenarios: the next `times` (default 1) answers (of `model`, if given) get `s`. */
  queue(s: S | S['kind'], opts?: { times?: number; model?: string }): void;
  /** Back to the first default scenario, empty queue, no per-model scenarios, no records, marker counters cleared. */
  reset(): void;
  /** Whether the request carried exactly this key (compares keyed hashes; the key itself is never stored). */
  keyMatches(req: R, key: string): boolean;
  close(): Promise<void>;
}

/** The scenario part of a handle, on `book`; `clear` empties what else reset() empties (the records, a cache). */
export function scenarioControls<S extends BaseScenario>(
  book: ScenarioBook<S>,
  clear: () => void,
): Pick<MockControls<S, unknown>, 'setScenario' | 'queue' | 'reset'> {
  return {
    setScenario: (s, o) => book.set(s, o),
    queue: (s, o) => book.queue(s, o),
    reset() {
      book.reset();
      clear();
    },
  };
}
