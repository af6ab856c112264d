// `llm-router train`: rebuilds the learned model from JSONL (labeled rows and outcome rows) and writes it to a file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { shippedModel } from '../../core/classifier';
import type { Row } from '../../core/classifier/dataset';
import { feedbackRows } from '../../core/classifier/feedback';
import { fromJson, toJson, type Weights } from '../../core/classifier/model';
import { train } from '../../core/classifier/train';
import { defaultConfig } from '../../core/config';
import { openStore } from '../../core/store';
import { addDbOption, defaultDbPath, out } from '../context';
import { readRowFiles } from './eval';

export function register(program: Command): void {
  addDbOption(
    program
      .command('train')
      .description('train the learned classifier from JSONL files (or fine-tune it on rated answers in the database) and write the model file')
      .option('--data <files...>', 'JSONL: labeled rows {prompt, complexity, category} and/or outcome rows {prompt, weak_score, strong_score}')
      .option('--from-db', 'fine-tune on rated answers in the database (needs prompts stored in full): bad answers from a cheaper tier teach "needs a stronger model"')
      .option('--base <file>', 'with --from-db: the model to start from (default: the shipped model)')
      .requiredOption('--out <file>', 'where to write the model (JSON); use it with classify/eval --model, or ship it as src/core/classifier/model.json')
      .option('--epochs <n>', 'passes over the data (default 12; 4 with --from-db)')
      .option('--outcome-weight <w>', 'weight of one outcome row against one labeled row', '0.25'),
  )
    .addHelpText('after', '\nAn outcome row teaches the score: "needs the strong model" when strong_score > weak_score.')
    .action(async (opts: { data?: string[]; fromDb?: boolean; base?: string; db?: string; out: string; epochs?: string; outcomeWeight: string }) => {
      if (!opts.data && !opts.fromDb) throw new Error('nothing to train on: give --data FILE... and/or --from-db');
      const epochs = Number(opts.epochs ?? (opts.fromDb ? 4 : 12));
      const ow = Number(opts.outcomeWeight);
      if (!(Number.isInteger(epochs) && epochs >= 1 && epochs <= 200)) throw new Error('--epochs must be an integer in 1..200');
      if (!(ow >= 0)) throw new Error('--outcome-weight must be a number ≥ 0');
      if (opts.base && !opts.fromDb) throw new Error('--base only applies with --from-db');
      const files = opts.data ? readRowFiles(opts.data, 'train') : [];
      const rows: Row[] = files.flatMap((f) => f.rows);
      const names = files.map((f) => f.name);
      let init: Weights | undefined;
      let outcomeWeight = ow;
      if (opts.fromDb) {
        const dbPath = opts.db ?? defaultDbPath();
        if (!fs.existsSync(dbPath)) throw new Error(`no database at ${dbPath} (use --db PATH)`);
        const store = await openStore({ path: dbPath });
        try {
          const samples = store.qualitySamples();
          const fb = feedbackRows(samples, (id) => {
            const d = store.getDecision(id);
            return d?.prompt && !d.prompt.endsWith('…') ? d.prompt : null;
          }, defaultConfig().tiers.length - 1);
          const skipped = Object.entries(fb.skipped).map(([k, v]) => `${v} ${k}`).join(', ');
          out(`database: ${samples.length} rated answer(s), ${fb.rows.length} usable${skipped ? ` (skipped: ${skipped})` : ''}`);
          if (!fb.rows.length && !rows.length) throw new Error('no usable rated answers: rate answers from Haiku or Sonnet, with prompts stored in full (setting llmRouter.promptStorage = "full")');
          rows.push(...fb.rows);
          names.push(`${path.basename(dbPath)} (feedback)`);
        } finally {
          await store.close();
        }
        if (opts.base) {
          try {
            init = fromJson(JSON.parse(fs.readFileSync(opts.base, 'utf8')));
          } catch (e) {
            throw new Error(`cannot use ${opts.base} as the base model: ${(e as Error).message}`);
          }
        } else init = shippedModel();
        if (!files.length) outcomeWeight = 1; // feedback is the only data: let it count fully
      }
      const labeled = rows.filter((r) => r.kind === 'labeled').length;
      const t0 = Date.now();
      const w = train(rows, { epochs, outcomeWeight, files: names, init });
      const json = JSON.stringify(toJson(w));
      fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
      const tmp = `${opts.out}.tmp`;
      fs.writeFileSync(tmp, `${json}\n`);
      fs.renameSync(tmp, opts.out);
      out(`${init ? 'fine-tuned' : 'trained'} on ${rows.length} rows (${labeled} labeled, ${rows.length - labeled} outcome) from ${names.length} source(s) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      out(`wrote ${opts.out} (${Math.round(json.length / 1024)} KB)`);
      out('measure it on rows it has not seen: llm-router eval --strategy learned --folds 5 --data <files>');
    });
}
