// `llm-router train`: rebuilds the learned model from JSONL (labeled rows and outcome rows) and writes it to a file;
// with --from-db, fine-tunes it on the rated answers in the database, measures it on held-back ratings before and
// after, and keeps it in the database for routing when it did not do worse (--reset removes it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { storedThresholds } from '../../core/calibrate';
import type { Row } from '../../core/classifier/dataset';
import { fineTune, resetFineTune } from '../../core/classifier/finetune';
import { fromJson, toJson, type ModelJson, type Weights } from '../../core/classifier/model';
import { train } from '../../core/classifier/train';
import { DEFAULT_BETA, buildModel, rankGroups } from '../../core/classifier/lobo';
import { parseMultiJsonl, tables } from '../../core/classifier/outcomes';
import { defaultConfig } from '../../core/config';
import { pct } from '../../core/format';
import { addDbOption, defaultDbPath, out, withStore } from '../io';
import { readRowFiles } from './eval';

interface TrainOpts {
  data?: string[];
  outcomes?: string[];
  beta?: string;
  bits?: string;
  fromDb?: boolean;
  reset?: boolean;
  base?: string;
  db?: string;
  out?: string;
  epochs?: string;
  outcomeWeight?: string;
  json?: boolean;
}

function writeModel(file: string, model: ModelJson): string {
  const json = JSON.stringify(model);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `${json}\n`);
  fs.renameSync(tmp, file);
  return `wrote ${file} (${Math.round(json.length / 1024)} KB)`;
}

export function register(program: Command): void {
  addDbOption(
    program
      .command('train')
      .description(
        'train the learned classifier from JSONL files and write the model file, or fine-tune it on rated answers in the database (measured on held-back ratings, used for routing when it did not do worse)',
      )
      .option(
        '--data <files...>',
        'JSONL: labeled rows {prompt, complexity, category} and/or outcome rows {prompt, weak_score, strong_score}',
      )
      .option(
        '--outcomes <files...>',
        'JSONL outcome tables {prompt, benchmark, models: {model: score}}: fit the difficulty ranker on them (which prompts many models fail, within each benchmark)',
      )
      .option('--beta <x>', `with --outcomes: weight of the ranker in the score (default ${DEFAULT_BETA})`)
      .option('--bits <n>', 'hashed feature table size, 2^n (default 12)')
      .option(
        '--from-db',
        'fine-tune on rated answers in the database (needs prompts stored in full): bad answers from a cheaper tier teach "needs a stronger model"; 25 % of them are held back to measure before and after, and the result is kept for routing only if it did not do worse',
      )
      .option('--reset', 'remove the fine-tuned model from the database (routing goes back to the shipped model)')
      .option('--base <file>', 'with --from-db: the model to start from (default: the shipped model)')
      .option(
        '--out <file>',
        'where to write the model (JSON); needed with --data alone; with --from-db the database keeps it and this writes a copy',
      )
      .option('--epochs <n>', 'passes over the data (default 12; 4 with --from-db)')
      .option(
        '--outcome-weight <w>',
        'weight of one outcome row against one labeled row (default 0.25; 1 with --from-db alone)',
      )
      .option('--json', 'with --from-db: print the result as JSON'),
  )
    .addHelpText(
      'after',
      `
An outcome row teaches the score: "needs the strong model" when strong_score > weak_score.

With --from-db, a rated answer counts when it is clearly bad (from Haiku or Sonnet) or clearly good (from Haiku).
A held-back answer is routed "consistently" when the model now sends a bad answer's prompt above the tier that
answered it, or keeps a good Haiku answer's prompt on Haiku (with the calibrated thresholds when there are).

Examples:
  llm-router train --from-db                  fine-tune, measure, keep if not worse
  llm-router train --from-db --out tuned.json also write the new model to a file
  llm-router train --from-db --reset          back to the shipped model`,
    )
    .action(async (opts: TrainOpts) => {
      if (opts.reset) {
        if (opts.data || opts.base || opts.out)
          throw new Error('--reset removes the fine-tuned model: give it with --from-db (and --db) only');
        await reset(opts);
        return;
      }
      if (!opts.data && !opts.fromDb)
        throw new Error(
          'nothing to train on: give --data FILE... (with --outcomes FILE... for the ranker) and/or --from-db',
        );
      const epochs = Number(opts.epochs ?? (opts.fromDb ? 4 : 12));
      if (!(Number.isInteger(epochs) && epochs >= 1 && epochs <= 200))
        throw new Error('--epochs must be an integer in 1..200');
      const ow = opts.outcomeWeight === undefined ? undefined : Number(opts.outcomeWeight);
      if (ow !== undefined && !(ow >= 0)) throw new Error('--outcome-weight must be a number ≥ 0');
      if (opts.base && !opts.fromDb) throw new Error('--base only applies with --from-db');
      if (opts.json && !opts.fromDb) throw new Error('--json only applies with --from-db');
      if (!opts.fromDb && !opts.out)
        throw new Error('--out FILE is needed: where to write the model trained from --data');
      const files = opts.data ? readRowFiles(opts.data, 'train') : [];
      const rows: Row[] = files.flatMap((f) => f.rows);
      const names = files.map((f) => f.name);
      if (opts.fromDb) {
        await fromDb(opts, { epochs, outcomeWeight: ow, rows, names });
        return;
      }
      const labeled = rows.filter((r) => r.kind === 'labeled').length;
      const t0 = Date.now();
      const bits = opts.bits === undefined ? 12 : Number(opts.bits);
      if (!(Number.isInteger(bits) && bits >= 8 && bits <= 20)) throw new Error('--bits must be an integer in 8..20');
      const beta = opts.beta === undefined ? DEFAULT_BETA : Number(opts.beta);
      if (!(beta >= 0)) throw new Error('--beta must be a number ≥ 0');
      const tables1 = opts.outcomes
        ? tables(opts.outcomes.flatMap((f) => parseMultiJsonl(readText(f), path.basename(f))))
        : [];
      const allNames = [...names, ...(opts.outcomes ?? []).map((f) => path.basename(f))];
      const to = { epochs, outcomeWeight: ow ?? 0.25, files: allNames, bits, beta };
      const w = tables1.length ? buildModel(rankGroups(tables1), rows, to) : train(rows, to);
      if (tables1.length)
        out(
          `difficulty ranker fitted on ${tables1.reduce((a, t) => a + t.rows.length, 0)} prompts in ${tables1.length} outcome tables`,
        );
      out(
        `trained on ${rows.length} rows (${labeled} labeled, ${rows.length - labeled} outcome) from ${names.length} source(s) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
      out(writeModel(opts.out!, toJson(w)));
      out('measure it on rows it has not seen: llm-router eval --strategy learned --folds 5 --data <files>');
    });
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The database --from-db reads: it must exist (training never starts from an empty one). */
function existingDb(opts: TrainOpts): string {
  const dbPath = opts.db ?? defaultDbPath();
  if (!fs.existsSync(dbPath)) throw new Error(`no database at ${dbPath} (use --db PATH)`);
  return dbPath;
}

async function reset(opts: TrainOpts): Promise<void> {
  await withStore(existingDb(opts), async (store) => {
    const had = resetFineTune(store);
    await store.flush();
    out(
      had
        ? 'fine-tuned model removed: routing uses the shipped model'
        : 'no fine-tuned model in the database: routing already uses the shipped model',
    );
  });
}

async function fromDb(
  opts: TrainOpts,
  o: { epochs: number; outcomeWeight: number | undefined; rows: Row[]; names: string[] },
): Promise<void> {
  let base: Weights | undefined;
  if (opts.base) {
    try {
      base = fromJson(JSON.parse(fs.readFileSync(opts.base, 'utf8')));
    } catch (e) {
      throw new Error(`cannot use ${opts.base} as the base model: ${(e as Error).message}`);
    }
  }
  const dbPath = existingDb(opts);
  const { result, model } = await withStore(dbPath, (store) => {
    const config = defaultConfig();
    const t = storedThresholds(store, config);
    if (t) config.thresholds = t;
    return fineTune(store, config, {
      base,
      extraRows: o.rows,
      epochs: o.epochs,
      outcomeWeight: o.outcomeWeight,
      sources: [...o.names, `${path.basename(dbPath)} (feedback)`],
    });
  });
  if (opts.json) out(JSON.stringify(result, null, 2));
  if (!result.trained) throw new Error(result.message);
  if (!opts.json) {
    const skipped = Object.entries(result.skipped)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
    out(`database: ${result.rated} rated answer(s), ${result.usable} usable${skipped ? ` (skipped: ${skipped})` : ''}`);
    out(
      `fine-tuned from ${opts.base ? path.basename(opts.base) : 'the shipped model'} on ${result.trainRows} rows${o.rows.length ? ` (${o.rows.length} from files)` : ''}; ${result.heldBack} rated answer(s) held back`,
    );
    out(
      `held-back accuracy: ${pct(result.accuracyBefore, 0)} before (${result.before === 'shipped' ? 'shipped model' : 'fine-tuned model in use'}) → ${pct(result.accuracyAfter, 0)} after (${result.rightBefore} → ${result.rightAfter} of ${result.heldBack})`,
    );
    out(
      result.kept
        ? 'kept: routing with the learned strategy uses it now (undo: llm-router train --from-db --reset)'
        : `not kept: it did worse on the held-back answers; ${result.before === 'shipped' ? 'the shipped model' : 'the fine-tuned model in use'} stays`,
    );
  }
  if (opts.out && model) {
    const line = writeModel(opts.out, model);
    if (!opts.json) out(`${line}${result.kept ? '' : ' (a copy of the model that was not kept)'}`);
  }
}
