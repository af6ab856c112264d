// The `@router` chat participant: shows the routing choice, streams the answer through the routing service, then
// the tokens, the real cost and the saving. Thumbs up/down land on the decision named in the result metadata.
import * as vscode from 'vscode';
import { formatUsd, tierLabel } from '../core/format';
import type { RouteOutcome } from '../core/service-api';
import { AgentRouter } from '../core/agentRun';
import { streamAnswer } from './chatAnswer';
import { chatWorkflow } from './chatWorkflow';
import { readReferences, referencedTools } from './chatContext';
import { historyFrom, PARTICIPANT_ID, TIER_COMMANDS, type RouterResultMeta } from './chatHistory';
import { explainMarkdown, routedLine, statsMarkdown } from './format';
import type { Runtime } from './runtime';
import { vscodeTierClients } from './vscodeModels';

export { historyFrom, PARTICIPANT_ID, type RouterResultMeta };

/** performance.now() marks of one request inside the extension host (for the benchmark of @router's own overhead). */
export interface ChatTiming {
  start: number;
  decision?: number;
  firstText?: number;
  end: number;
}

export interface Handled {
  prompt: string;
  command: string | undefined;
  result: vscode.ChatResult;
  outcome?: RouteOutcome;
  timing: ChatTiming;
}

export interface ChatEvents {
  /** Fires after each handled request (for tests and benchmarks; only in test mode, else never). */
  readonly onDidHandle: vscode.Event<Handled>;
  /** The feedback handler VS Code calls; exported so tests can drive it when the UI cannot be clicked. */
  handleFeedback(feedback: vscode.ChatResultFeedback): void;
}

const vscodeClients = vscodeTierClients();

/** One request: /stats, the help text, /explain, the no-key answer, or a routed answer. */
async function handle(
  rt: Runtime,
  request: vscode.ChatRequest,
  context: vscode.ChatContext,
  stream: vscode.ChatResponseStream,
  token: vscode.CancellationToken,
  setOutcome: (o: RouteOutcome) => void,
  timing: ChatTiming,
  agents: AgentRouter,
): Promise<vscode.ChatResult> {
  await rt.ready;
  const service = rt.service;
  const config = service.config;
  const prompt = request.prompt.trim();
  const command = request.command;

  if (command === 'stats') {
    stream.markdown(statsMarkdown(config, service.store.stats()));
    stream.button({ command: 'llm-router.showCostPanel', title: 'Open the cost panel' });
    return { metadata: { status: 'stats', command } satisfies RouterResultMeta };
  }
  if (command === 'workflow') return chatWorkflow(rt, prompt, await rt.client(), stream, token);
  if (!prompt) {
    stream.markdown(
      'Ask me anything after `@router`: I pick the cheapest Claude model that answers it well. `/explain <prompt>` shows the choice without calling a model; `/haiku`, `/sonnet`, `/opus` force a tier; `/stats` shows spend and savings.',
    );
    return { metadata: { status: 'explain', command } satisfies RouterResultMeta };
  }
  const history = historyFrom(context);
  const override = command && TIER_COMMANDS.has(command) ? command : null;

  if (command === 'explain') {
    const d = service.decide({ prompt, history, override: null });
    rt.log.decision(d, 'chat /explain');
    stream.markdown(explainMarkdown(config, d));
    return { metadata: { status: 'explain', command, prompt } satisfies RouterResultMeta };
  }

  const client = await rt.routeClients(vscodeClients);
  if (!client) {
    const d = service.decide({ prompt, history, override });
    rt.log.decision(d, 'chat (no key)');
    stream.markdown(`**${routedLine(config, d)}**\n\n`);
    stream.markdown(
      `No Anthropic API key is set, so no model was called. This prompt would go to **${tierLabel(config, d.tier)}** (\`${d.model}\`) for about ${formatUsd(d.estCostUsd)}.\n\n`,
    );
    stream.markdown(explainMarkdown(config, d, false));
    stream.button({ command: 'llm-router.setApiKey', title: 'Set API Key' });
    return { metadata: { status: 'no-key', prompt, command } satisfies RouterResultMeta };
  }

  const attachments = await readReferences(request.references);
  const tools = referencedTools(request.toolReferences);
  return streamAnswer(rt, {
    prompt,
    history,
    override,
    command,
    client,
    attachments,
    tools,
    toolToken: request.toolInvocationToken,
    agents,
    stream,
    token,
    setOutcome,
    timing,
  });
}

export function registerChat(rt: Runtime, testMode = false): ChatEvents & vscode.Disposable {
  // The per-request event exists for the tests; outside test mode nothing is kept or fired.
  const handled = testMode ? new vscode.EventEmitter<Handled>() : undefined;
  const agents = new AgentRouter();

  const handler: vscode.ChatRequestHandler = async (request, context, stream, token) => {
    let outcome: RouteOutcome | undefined;
    const timing: ChatTiming = { start: performance.now(), end: 0 };
    const result = await handle(
      rt,
      request,
      context,
      stream,
      token,
      (o) => {
        outcome = o;
      },
      timing,
      agents,
    );
    timing.end = performance.now();
    handled?.fire({ prompt: request.prompt, command: request.command, result, outcome, timing });
    return result;
  };

  const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, handler);
  participant.iconPath = vscode.Uri.joinPath(rt.context.extensionUri, 'media', 'icon.svg');

  participant.followupProvider = {
    provideFollowups(result: vscode.ChatResult): vscode.ChatFollowup[] {
      const meta = result.metadata as RouterResultMeta | undefined;
      if (!meta?.prompt) return [];
      const out: vscode.ChatFollowup[] = [];
      const top = rt.settings.config.tiers[rt.settings.config.tiers.length - 1];
      if (meta.status === 'ok' && meta.tier && meta.tier !== top.id && TIER_COMMANDS.has(top.id)) {
        out.push({ prompt: meta.prompt, command: top.id, label: `Ask ${top.label} the same question` });
      }
      if (meta.status === 'explain') out.push({ prompt: meta.prompt, label: 'Send it as routed' });
      out.push({ prompt: '', command: 'stats', label: 'Spend and savings so far' });
      return out;
    },
  };

  const handleFeedback = (f: vscode.ChatResultFeedback) => {
    const meta = f.result.metadata as RouterResultMeta | undefined;
    if (!meta?.decisionId) return;
    const thumb = f.kind === vscode.ChatResultFeedbackKind.Helpful ? 'up' : 'down';
    try {
      rt.service.feedback(meta.decisionId, thumb);
      rt.log.info(`feedback ${thumb} on ${meta.decisionId.slice(0, 8)}`);
    } catch (e) {
      rt.log.error(`feedback on ${meta.decisionId.slice(0, 8)} not saved: ${(e as Error).message}`);
    }
  };
  const feedbackSub = participant.onDidReceiveFeedback(handleFeedback);

  return {
    onDidHandle:
      handled?.event ??
      (() => ({
        dispose() {
          /* never fires */
        },
      })),
    handleFeedback,
    dispose() {
      feedbackSub.dispose();
      participant.dispose();
      handled?.dispose();
    },
  };
}
