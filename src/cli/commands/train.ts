// `llm-router train`: rebuilds the learned model from JSONL (labeled rows and outcome rows) and writes it to a file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { toJson } from '../../core/classifier/model';
import { train } from '../../core/classifier/train';
import { out } from '../context';
import { readRowFiles } from './eval';

export function register(program: Command): void {
  program
    .command('train')
    .description('train the learned classifier from JSONL files and write the model file')
    .requiredOption('--data <files...>', 'JSONL: labeled rows {prompt, complexity, category} and/or outcome rows {prompt, weak_score, strong_score}')
    .requiredOption('--out <file>', 'where to write the model (JSON); use it with classify/eval --model, or ship it as src/core/classifier/model.json')
    .option('--epochs <n>', 'passes over the data', '12')
    .option('--outcome-weight <w>', 'weight of one outcome row against one labeled row', '0.25')
    .addHelpText('after', '\nAn outcome row teaches the score: "needs the strong model" when strong_score > weak_score.')
    .action((opts: { data: string[]; out: string; epochs: string; outcomeWeight: string }) => {
      const epochs = Number(opts.epochs);
      const ow = Number(opts.outcomeWeight);
      if (!(Number.isInteger(epochs) && epochs >= 1 && epochs <= 200)) throw new Error('--epochs must be an integer in 1..200');
      if (!(ow >= 0)) throw new Error('--outcome-weight must be a number ≥ 0');
      const files = readRowFiles(opts.data, 'train');
      const rows = files.flatMap((f) => f.rows);
      const labeled = rows.filter((r) => r.kind === 'labeled').length;
      const t0 = Date.now();
      const w = train(rows, { epochs, outcomeWeight: ow, files: files.map((f) => f.name) });
      const json = JSON.stringify(toJson(w));
      fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
      const tmp = `${opts.out}.tmp`;
      fs.writeFileSync(tmp, `${json}\n`);
      fs.renameSync(tmp, opts.out);
      out(`trained on ${rows.length} rows (${labeled} labeled, ${rows.length - labeled} outcome) from ${files.length} file(s) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      out(`wrote ${opts.out} (${Math.round(json.length / 1024)} KB)`);
      out('measure it on rows it has not seen: llm-router eval --strategy learned --folds 5 --data <files>');
    });
}
