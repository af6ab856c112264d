// Words shown in chat, notifications and documents. No `vscode` here: plain strings.
import { formatUsd, pct, routedLine } from '../core/format';
import type { RouteOutcome } from '../core/service-api';
import type { Stats } from '../core/store/api';
import type { Decision, RouterConfig } from '../core/types';

export { routedLine };

const int = (n: number) => n.toLocaleString('en-US');

/** After an answer: tokens, actual cost, saving against the top tier. */
export function outcomeLine(config: RouterConfig, o: RouteOutcome): string {
  const u = o.record.usage;
  const top = config.tiers[config.tiers.length - 1].label;
  const parts: string[] = [];
  if (u) {
    let t = `${int(u.inputTokens)} in · ${int(u.outputTokens)} out tokens`;
    if (u.cacheReadTokens || u.cacheWriteTokens)
      t += ` (cache: ${int(u.cacheReadTokens)} read, ${int(u.cacheWriteTokens)} written)`;
    parts.push(t);
  }
  parts.push(`cost ${formatUsd(o.totalCostUsd)}`);
  if (o.savedUsd !== null && o.record.tier < config.tiers.length - 1)
    parts.push(`saved ${formatUsd(o.savedUsd)} against ${top}`);
  else if (o.record.tier >= config.tiers.length - 1) parts.push(`answered by the top tier (${top}): nothing saved`);
  if (o.calls.length > 1)
    parts.push(`${o.calls.length} calls (${o.calls.map((c) => `${c.role} ${c.model}: ${c.status}`).join(', ')})`);
  if (o.record.answeredModel && o.record.answeredModel !== o.decision.model)
    parts.push(`answered by ${o.record.answeredModel}`);
  return parts.join(' · ');
}

/** The decision and every reason behind it, as Markdown. */
export function explainMarkdown(config: RouterConfig, d: Decision, heading = true): string {
  const lines: string[] = [];
  if (heading) lines.push(`### ${routedLine(config, d)}`, '');
  lines.push(
    `Model \`${d.model}\` · score ${d.score.toFixed(2)} · strategy ${d.strategy}${d.highStakes ? ' · high-stakes' : ''}`,
    '',
  );
  lines.push('**Why:**', '');
  for (const r of d.reasons) lines.push(`- ${r}`);
  lines.push('');
  const top = config.tiers[config.tiers.length - 1];
  lines.push(
    `Estimated cost: ${formatUsd(d.estCostUsd)} for about ${int(d.estInputTokens)} input tokens` +
      (d.tier < config.tiers.length - 1 ? ` (the same on ${top.label}: ${formatUsd(d.baselineEstCostUsd)})` : ''),
  );
  if (d.blocked) lines.push('', '**The budget is exhausted: this request would be refused.**');
  return lines.join('\n');
}

export function statsMarkdown(config: RouterConfig, s: Stats): string {
  const top = config.tiers[config.tiers.length - 1].label;
  const lines = [
    `### Spend and savings`,
    '',
    `- Requests answered: **${int(s.requests)}** (${int(s.decisions)} decisions)`,
    `- Spent: **${formatUsd(s.spendUsd)}** · all on ${top} would have cost ${formatUsd(s.baselineUsd)}`,
    `- Saved: **${formatUsd(s.savedUsd)}** (${pct(s.savedPct, 1)})`,
    `- Today: ${formatUsd(s.spentTodayUsd)} · this month: ${formatUsd(s.spentMonthUsd)}`,
    `- Feedback: ${s.feedback.up} 👍 · ${s.feedback.down} 👎`,
  ];
  const tiers = config.tiers.map((t, i) => `${t.label} ${s.byTier[i] ?? 0} (${formatUsd(s.spendByTier[i] ?? 0)})`);
  lines.push(`- By tier: ${tiers.join(' · ')}`);
  if (s.unpriced)
    lines.push(`- ${s.unpriced} answers came from a model with no known price: their cost is not counted.`);
  return lines.join('\n');
}
