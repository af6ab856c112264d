// The WHERE clause of a listing or breakdown: one condition per filter that was given, with its parameters.
import type { SqlValue } from 'sql.js';

export class Filter {
  private readonly conds: string[] = [];
  readonly params: SqlValue[] = [];

  /** Adds `cond` (its `?`s all take `value`) when `value` is given; undefined means not filtered. */
  when(value: SqlValue | undefined, cond: string): this {
    if (value === undefined) return this;
    this.conds.push(cond);
    for (let i = cond.split('?').length - 1; i > 0; i--) this.params.push(value);
    return this;
  }

  /** Rows in [since, until) of the `time` column. */
  period(q: { since?: number; until?: number }): this {
    return this.when(q.since, 'time >= ?').when(q.until, 'time < ?');
  }

  /** ` WHERE …`, or '' without conditions. */
  get sql(): string {
    return this.conds.length ? ` WHERE ${this.conds.join(' AND ')}` : '';
  }
}
