// `llm-router eval`: how well the classifier does on JSONL data — labeled accuracy, or APGR / CPT(50%) / cost saved
// at 95% quality on outcome tables, next to the random and prompt-length baselines. Cross-validated for `learned`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { parseJsonl, type Row } from '../../core/classifier/dataset';
import { evaluate, type FileReport } from '../../core/classifier/evaluate';
import { defaultConfig } from '../../core/config';
import { pctStr } from '../../core/routingMetrics';
import { out, writeErr } from '../io';

/** Reads JSONL files into rows; unreadable lines are reported on stderr with their line number and skipped. */
export function readRowFiles(files: readonly string[], cmd: string): { name: string; rows: Row[] }[] {
  return files.map((file) => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const { rows, errors } = parseJsonl(text, path.basename(file));
    for (const e of errors.slice(0, 5)) writeErr(`llm-router ${cmd}: ${file}:${e.line}: ${e.error} (skipped)\n`);
    if (errors.length > 5) writeErr(`llm-router ${cmd}: ${file}: ${errors.length - 5} more bad line(s) skipped\n`);
    if (!rows.length)
      throw new Error(
        `${file} has no usable rows (need "prompt" with "complexity" and "category", or "weak_score" and "strong_score")`,
      );
    return { name: path.basename(file), rows };
  });
}

const f3 = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));

/** A Markdown table (header, separator, one line a row) and a blank line after it; nothing when there are no rows. */
function table(lines: string[], head: string, sep: string, rows: readonly string[]): void {
  if (rows.length) lines.push(head, sep, ...rows, '');
}

export function formatReport(reps: readonly FileReport[], title: string): string[] {
  const lines: string[] = [`# ${title}`, ''];
  table(
    lines,
    '| labeled data | rows | complexity | category | both | score ranks complexity |',
    '|---|---:|---:|---:|---:|---:|',
    reps.flatMap(({ name, labeled: m }) =>
      m
        ? [
            `| ${name} | ${m.rows} | ${pctStr(m.complexityAccuracy)} | ${pctStr(m.categoryAccuracy)} | ${pctStr(m.bothAccuracy)} | ${pctStr(m.scoreRankAccuracy)} |`,
          ]
        : [],
    ),
  );
  table(
    lines,
    '| outcome table | rows | needs strong | APGR (random 0.5 / length) | CPT(50%) (random / length) | cost saved at 95% quality (random / length) |',
    '|---|---:|---:|---|---|---|',
    reps.flatMap(({ name, outcome: o }) =>
      o
        ? [
            `| ${name} | ${o.router.rows} | ${pctStr(o.router.needsStrong)} | **${f3(o.router.apgr)}** (${f3(o.random.apgr)} / ${f3(o.length.apgr)}) | **${pctStr(o.router.cpt50)}** (${pctStr(o.random.cpt50)} / ${pctStr(o.length.cpt50)}) | **${pctStr(o.router.costSavedAt95)}** (${pctStr(o.random.costSavedAt95)} / ${pctStr(o.length.costSavedAt95)}) |`,
          ]
        : [],
    ),
  );
  return lines;
}

export function register(program: Command): void {
  program
    .command('eval')
    .description(
      'measure the classifier on JSONL data: labeled accuracy, or APGR / CPT(50%) / cost saved on outcome tables',
    )
    .requiredOption(
      '--data <files...>',
      'JSONL files: labeled rows {prompt, complexity, category} or outcome rows {prompt, weak_score, strong_score, weak_cost, strong_cost}',
    )
    .option('--strategy <name>', 'rules or learned (default: the configured one)')
    .option(
      '--folds <k>',
      'learned: k-fold cross-validation, retraining on the other folds (0 = use the model as it is)',
      '5',
    )
    .option('--train-extra <files...>', "learned with folds: rows added to every fold's training set (never scored)")
    .option('--model <file>', 'learned with --folds 0: a model file from `llm-router train`')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nRows are detected per line. Outcome metrics follow RouteLLM (arXiv 2406.18665): prompts with the highest score go to the strong model first.',
    )
    .action(
      (opts: {
        data: string[];
        strategy?: string;
        folds: string;
        trainExtra?: string[];
        model?: string;
        json?: boolean;
      }) => {
        const strategy = (opts.strategy ?? (opts.model ? 'learned' : defaultConfig().strategy)) as 'rules' | 'learned';
        if (strategy !== 'rules' && strategy !== 'learned')
          throw new Error(`--strategy must be rules or learned, not "${opts.strategy}"`);
        const folds = Number(opts.folds);
        if (!(Number.isInteger(folds) && (folds === 0 || folds >= 2)))
          throw new Error('--folds must be 0 or an integer ≥ 2');
        const files = readRowFiles(opts.data, 'eval');
        const extra = opts.trainExtra ? readRowFiles(opts.trainExtra, 'eval').flatMap((f) => f.rows) : [];
        let model: unknown;
        if (opts.model) {
          if (strategy !== 'learned') throw new Error('--model only applies to the learned strategy');
          try {
            model = JSON.parse(fs.readFileSync(opts.model, 'utf8'));
          } catch (e) {
            throw new Error(`cannot read model file ${opts.model}: ${(e as Error).message}`);
          }
        }
        const useFolds = strategy === 'learned' && !opts.model ? folds : 0;
        const reps = evaluate(files, { strategy, folds: useFolds, extraTrain: extra, model });
        if (opts.json) {
          out(JSON.stringify({ strategy, folds: useFolds, files: reps }, null, 2));
          return;
        }
        const how =
          strategy === 'rules'
            ? 'rules (no training)'
            : useFolds
              ? `learned, ${useFolds}-fold cross-validation (no row scored by a model that saw it)`
              : `learned, ${opts.model ?? 'shipped model'} as it is`;
        for (const l of formatReport(reps, `eval: ${how}`)) out(l);
        if (strategy === 'learned' && useFolds === 0 && !opts.model) {
          out("note: the shipped model was trained on the repository's data; use --folds to score unseen rows only.");
        }
      },
    );
}
