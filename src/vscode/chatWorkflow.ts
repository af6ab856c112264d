// `@router /workflow NAME text`: runs a workflow from the workspace's .llm-router/workflows (trusted workspaces only)
// or the shipped examples. The text after the name fills the workflow's first input that has no default. Each step
// shows where it was routed and its answer when it finishes (independent steps run at the same time), then the run's
// total cost. A workflow that does not check out is refused in words before anything is sent.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatUsd } from '../core/format';
import type { ModelClient } from '../core/provider/api';
import type { WorkflowRun } from '../core/workflows/run';
import { routedLine } from './format';
import type { Runtime } from './runtime';

// The workflow engine (yaml, zod) is loaded on first use, like the rest of the engine (see runtime.ts).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const engine = () => require('./heavyModules') as typeof import('./heavyModules');

/** Where workflows are looked up: each trusted workspace folder's .llm-router/workflows, then the shipped examples. */
export function workflowDirs(): string[] {
  const { examplesDir, WORKSPACE_DIR } = engine().workflows;
  const own = vscode.workspace.isTrusted
    ? (vscode.workspace.workspaceFolders ?? []).map((f) => path.join(f.uri.fsPath, WORKSPACE_DIR))
    : [];
  return [...own, examplesDir()];
}

export interface WorkflowMeta {
  command: 'workflow';
  status: 'ok' | 'error' | 'cancelled' | 'no-key' | 'explain';
  prompt: string;
  answer?: string;
  workflowRunId?: string;
  /** What the user was told when the workflow was not run. */
  error?: string;
}

export async function chatWorkflow(
  rt: Runtime,
  prompt: string,
  client: ModelClient | null,
  stream: vscode.ChatResponseStream,
  token: vscode.CancellationToken,
  onRun?: (run: WorkflowRun) => void,
): Promise<vscode.ChatResult> {
  const wf = engine().workflows;
  const dirs = workflowDirs();
  const [name = '', ...rest] = prompt.split(/\s+/);
  const text = prompt.slice(name.length).trim();
  const meta = (m: Omit<WorkflowMeta, 'command' | 'prompt'>): vscode.ChatResult => ({
    metadata: { command: 'workflow', prompt, ...m } satisfies WorkflowMeta,
  });
  if (!name) {
    const list = wf
      .listWorkflowFiles(dirs)
      .map((f) => `- \`${f.name}\``)
      .join('\n');
    stream.markdown(
      `Which workflow? \`@router /workflow NAME your text\`: the text fills its first input.\n\n${list || 'No workflows found.'}`,
    );
    return meta({ status: 'explain' });
  }
  let run: WorkflowRun;
  const service = rt.service;
  try {
    const file = wf.findWorkflowFile(name, dirs);
    const w = wf.loadWorkflow(wf.readWorkflowFile(file), service.config, file.name);
    const first = Object.entries(w.inputs).find(([, d]) => d.default === undefined)?.[0];
    const inputs = wf.resolveInputs(w, first && rest.length ? { [first]: text } : {});
    if (!client) {
      stream.markdown(`No Anthropic API key is set, so nothing was sent. Where **${w.name}** would go:\n\n`);
      for (const p of wf.planWorkflow(w, service, inputs))
        stream.markdown(`- **${p.id}**: ${routedLine(service.config, p.decision)}${p.pinned ? ' (pinned)' : ''}\n`);
      stream.button({ command: 'llm-router.setApiKey', title: 'Set API Key' });
      return meta({ status: 'no-key' });
    }
    stream.markdown(
      `**Workflow ${w.name}** · ${wf
        .stages(w)
        .map((g) => g.join(' ∥ '))
        .join(' → ')}\n\n`,
    );
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      run = await wf.runWorkflow(w, {
        service,
        client,
        inputs,
        source: 'chat',
        signal: abort.signal,
        tag: (id, runId, step) => service.store.updateDecision(id, { workflowId: runId, workflowStep: step }),
        onStepStart: (id, d) => stream.progress(`${id}: ${routedLine(service.config, d)}`),
        onStepDone: (s) => {
          if (s.status === 'ok')
            stream.markdown(`### ${s.id}\n*${s.model} · ${formatUsd(s.costUsd)}*\n\n${s.text.trim()}\n\n`);
          else stream.markdown(`### ${s.id}\n**${s.status}**: ${s.error ?? ''}\n\n`);
        },
      });
    } finally {
      sub.dispose();
    }
  } catch (e) {
    // A workflow that does not check out (or an input missing): said in words, nothing sent.
    stream.markdown(`**Workflow not run.** ${(e as Error).message.replace(/\n/g, '\n\n')}`);
    rt.log.warn(`workflow ${name}: ${(e as Error).message}`);
    return meta({ status: 'error', error: (e as Error).message });
  }
  onRun?.(run);
  rt.log.info(
    `workflow ${run.name} ${run.status}: ${run.steps.length} steps, ${formatUsd(run.totalCostUsd)} (run ${run.runId.slice(0, 8)})`,
  );
  const saved =
    run.totalCostUsd !== null && run.baselineCostUsd !== null
      ? ` · saved ${formatUsd(run.baselineCostUsd - run.totalCostUsd)} vs the top tier`
      : '';
  stream.markdown(
    `---\n\nWorkflow **${run.name}** ${run.status} · ${run.steps.filter((s) => s.status === 'ok').length}/${run.steps.length} steps · total ${formatUsd(run.totalCostUsd)}${saved} · run \`${run.runId.slice(0, 8)}\``,
  );
  return meta({
    status: run.status === 'ok' ? 'ok' : run.status === 'cancelled' ? 'cancelled' : 'error',
    answer: run.output,
    workflowRunId: run.runId,
  });
}
