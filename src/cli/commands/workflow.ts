// `llm-router workflow run|list|validate`: multi-step prompts (a small DAG in YAML or JSON), each step routed on its
// own unless pinned, independent steps at the same time, every call recorded as a decision of the run.
import type { Command } from 'commander';
import { formatUsd, routedLine } from '../../core/format';
import { AnthropicClient } from '../../core/provider/anthropic';
import { createExperimentService } from '../../core/experiments/routing';
import { withWorkspace } from '../../core/projects/workspace';
import { loadWorkflow, parseInputPairs, resolveInputs, type ValidWorkflow } from '../../core/workflows/definition';
import {
  examplesDir,
  findWorkflowFile,
  listWorkflowFiles,
  readWorkflowFile,
  WORKSPACE_DIR,
} from '../../core/workflows/library';
import { planWorkflow, runWorkflow, stages } from '../../core/workflows/run';
import type { RouterConfig } from '../../core/types';
import { addDbOption, env, out, setExitCode, warn, withStore, writeErr } from '../io';
import { PRESET_HELP, configFromOptions } from './classify';
import { cliWorkspace } from './projects';

interface RunOpts {
  db?: string;
  preset?: string;
  input: string[];
  dryRun?: boolean;
  json?: boolean;
  baseUrl?: string;
}

const dirs = () => [WORKSPACE_DIR, examplesDir()];
const collect = (v: string, prev: string[]) => [...prev, v];

function load(arg: string, config: RouterConfig): ValidWorkflow {
  const f = findWorkflowFile(arg, dirs());
  return loadWorkflow(readWorkflowFile(f), config, f.path);
}

const shape = (w: ValidWorkflow) =>
  stages(w)
    .map((g) => (g.length > 1 ? `(${g.join(' ∥ ')})` : g[0]))
    .join(' → ');

export function register(program: Command): void {
  const wf = program
    .command('workflow')
    .description('multi-step prompts: steps routed one by one, parallel branches, one total cost');

  wf.command('list')
    .description(`the workflows there are (./${WORKSPACE_DIR.replace(/\\/g, '/')} and the shipped examples)`)
    .action(() => {
      const config = configFromOptions({});
      for (const f of listWorkflowFiles(dirs())) {
        try {
          const w = loadWorkflow(readWorkflowFile(f), config, f.path);
          out(`${f.name.padEnd(24)} ${shape(w)}  ${w.description}`);
        } catch (e) {
          out(`${f.name.padEnd(24)} (invalid: ${(e as Error).message.split('\n')[0]})`);
        }
      }
    });

  wf.command('validate')
    .description('check a workflow (shape, references, tiers, cycles) without running it')
    .argument('<file>', 'a YAML or JSON file, or the name of a workflow')
    .option('--preset <name>', PRESET_HELP)
    .action((file: string, opts: { preset?: string }) => {
      const w = load(file, configFromOptions(opts));
      out(`${w.name}: ${w.steps.length} steps, valid · ${shape(w)}`);
    });

  addDbOption(
    wf
      .command('run')
      .description('run a workflow: validated first (nothing runs when it is not), then each step routed and recorded')
      .argument('<file>', 'a YAML or JSON file, or the name of a workflow (see `workflow list`)')
      .option('--input <name=value>', 'a workflow input (repeat for each)', collect, [])
      .option('--dry-run', 'show where each step would be routed; no model call, nothing recorded')
      .option('--json', 'print the run as JSON')
      .option('--preset <name>', PRESET_HELP)
      .option('--base-url <url>', 'Anthropic API base URL (default: $ANTHROPIC_BASE_URL or the official API)'),
  ).action(async (file: string, opts: RunOpts) => {
    const config = configFromOptions(opts);
    const w = load(file, config);
    const inputs = resolveInputs(w, parseInputPairs(opts.input));
    await withStore(opts.db, async (store) => {
      const service = withWorkspace(createExperimentService({ config, store }), cliWorkspace);
      if (opts.dryRun) {
        const plan = planWorkflow(w, service, inputs);
        if (opts.json) {
          out(JSON.stringify({ name: w.name, stages: stages(w), steps: plan }, null, 2));
          return;
        }
        out(`${w.name} · ${shape(w)} (dry run: nothing sent, nothing recorded)`);
        for (const p of plan)
          out(
            `  ${p.id.padEnd(12)} ${routedLine(service.config, p.decision)}${p.pinned ? ' · pinned' : ''} · est. ${formatUsd(p.decision.estCostUsd)}`,
          );
        out('Later steps are estimated with a placeholder for the answers they use, so their real input is larger.');
        return;
      }
      const key = env().ANTHROPIC_API_KEY?.trim();
      const client = key
        ? new AnthropicClient({ apiKey: key, baseURL: opts.baseUrl || env().ANTHROPIC_BASE_URL || undefined })
        : null;
      if (!client) {
        setExitCode(2);
        warn(
          'No Anthropic API key: set ANTHROPIC_API_KEY. Nothing was sent. Use --dry-run to see where each step would go.',
        );
        return;
      }
      const ac = new AbortController();
      const onSigint = () => ac.abort();
      process.once('SIGINT', onSigint);
      const log = (s: string) => {
        if (!opts.json) writeErr(`${s}\n`);
      };
      log(`${w.name} · ${shape(w)}`);
      const run = await runWorkflow(w, {
        service,
        client,
        inputs,
        source: 'cli',
        signal: ac.signal,
        tag: (id, runId, step) => store.updateDecision(id, { workflowId: runId, workflowStep: step }),
        onStepStart: (id, d) => log(`▶ ${id}: ${routedLine(service.config, d)}`),
        onStepDone: (s) =>
          log(
            `${s.status === 'ok' ? '✓' : '✗'} ${s.id}: ${s.status}${s.model ? ` · ${s.model}` : ''} · ${formatUsd(s.costUsd)} · ${(s.ms / 1000).toFixed(1)} s${s.error ? ` · ${s.error}` : ''}`,
          ),
        onNotice: (id, m) => log(`  ${id}: ${m}`),
      }).finally(() => process.off('SIGINT', onSigint));
      if (run.status !== 'ok') setExitCode(run.status === 'cancelled' ? 130 : 1);
      if (opts.json) {
        out(JSON.stringify(run, null, 2));
        return;
      }
      for (const s of run.steps) {
        if (s.status !== 'ok') continue;
        out(`## ${s.id} (${s.model})`);
        out(s.text.trim());
        out('');
      }
      out(
        `workflow ${run.name} ${run.status} · ${run.steps.filter((s) => s.status === 'ok').length}/${run.steps.length} steps · total ${formatUsd(run.totalCostUsd)}${run.baselineCostUsd !== null && run.totalCostUsd !== null ? ` · saved ${formatUsd(run.baselineCostUsd - run.totalCostUsd)} vs the top tier` : ''} · run ${run.runId}`,
      );
    });
  });
}
