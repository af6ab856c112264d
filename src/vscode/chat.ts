// The `@router` chat participant: shows the routing choice, streams the answer through the routing service, then
// the tokens, the real cost and the saving. Thumbs up/down land on the decision named in the result metadata.
import * as vscode from 'vscode';
import { formatUsd, pct, tierLabel } from '../core/format';
import { RouteError, type RouteOutcome } from '../core/service-api';
import type { Turn } from '../core/types';
import { explainMarkdown, outcomeLine, routedLine, statsMarkdown } from './format';
import type { Runtime } from './runtime';

export const PARTICIPANT_ID = 'llm-router.router';

/** What `@router` puts in each result's metadata (kept by VS Code with the conversation). */
export interface RouterResultMeta {
  decisionId?: string;
  /** The answer text alone (without the routing line and the footer): the history of the next turn. */
  answer?: string;
  prompt?: string;
  tier?: string;
  command?: string;
  status?: 'ok' | 'no-key' | 'cancelled' | 'error' | 'blocked' | 'explain' | 'stats';
}

/** performance.now() marks of one request inside the extension host (for the benchmark of @router's own overhead). */
export interface ChatTiming { start: number; decision?: number; firstText?: number; end: number }

export interface Handled { prompt: string; command: string | undefined; result: vscode.ChatResult; outcome?: RouteOutcome; timing: ChatTiming }

export interface ChatEvents {
  /** Fires after each handled request (for tests and benchmarks; only in test mode, else never). */
  readonly onDidHandle: vscode.Event<Handled>;
  /** The feedback handler VS Code calls; exported so tests can drive it when the UI cannot be clicked. */
  handleFeedback(feedback: vscode.ChatResultFeedback): void;
}

const TIER_COMMANDS = new Set(['haiku', 'sonnet', 'opus']);

/** Earlier `@router` turns of this conversation, oldest first, as plain text turns. */
export function historyFrom(context: vscode.ChatContext): Turn[] {
  const turns: Turn[] = [];
  for (const h of context.history) {
    if (h.participant !== PARTICIPANT_ID) continue;
    if (h instanceof vscode.ChatRequestTurn) {
      if (h.command === 'explain' || h.command === 'stats') continue;
      turns.push({ role: 'user', content: h.prompt });
    } else if (h instanceof vscode.ChatResponseTurn) {
      const meta = h.result.metadata as RouterResultMeta | undefined;
      if (meta?.status === 'explain' || meta?.status === 'stats') continue;
      // Our own turns carry the answer alone in their metadata (no-key and error turns have none); a turn restored
      // without metadata falls back to its Markdown.
      let text = meta?.answer ?? (meta?.status ? '' : undefined);
      if (text === undefined) {
        text = h.response
          .filter((p): p is vscode.ChatResponseMarkdownPart => p instanceof vscode.ChatResponseMarkdownPart)
          .map((p) => p.value.value)
          .join('');
      }
      // A user turn without an answer (no key, cancelled before any text) is dropped with it.
      if (!text.trim()) {
        if (turns.length && turns[turns.length - 1].role === 'user') turns.pop();
        continue;
      }
      turns.push({ role: 'assistant', content: text });
    }
  }
  // The API wants alternating turns ending with an assistant turn before the new prompt.
  while (turns.length && turns[turns.length - 1].role === 'user') turns.pop();
  return turns;
}

export function registerChat(rt: Runtime, testMode = false): ChatEvents & vscode.Disposable {
  // The per-request event exists for the tests; outside test mode nothing is kept or fired.
  const handled = testMode ? new vscode.EventEmitter<Handled>() : undefined;

  const handler: vscode.ChatRequestHandler = async (request, context, stream, token) => {
    let outcome: RouteOutcome | undefined;
    const timing: ChatTiming = { start: performance.now(), end: 0 };
    const result = await handle(request, context, stream, token, (o) => { outcome = o; }, timing);
    timing.end = performance.now();
    handled?.fire({ prompt: request.prompt, command: request.command, result, outcome, timing });
    return result;
  };

  async function handle(
    request: vscode.ChatRequest, context: vscode.ChatContext, stream: vscode.ChatResponseStream,
    token: vscode.CancellationToken, setOutcome: (o: RouteOutcome) => void, timing: ChatTiming,
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
    if (!prompt) {
      stream.markdown('Ask me anything after `@router`: I pick the cheapest Claude model that answers it well. `/explain <prompt>` shows the choice without calling a model; `/haiku`, `/sonnet`, `/opus` force a tier; `/stats` shows spend and savings.');
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

    const client = await rt.client();
    if (!client) {
      const d = service.decide({ prompt, history, override });
      rt.log.decision(d, 'chat (no key)');
      stream.markdown(`**${routedLine(config, d)}**\n\n`);
      stream.markdown(`No Anthropic API key is set, so no model was called. This prompt would go to **${tierLabel(config, d.tier)}** (\`${d.model}\`) for about ${formatUsd(d.estCostUsd)}.\n\n`);
      stream.markdown(explainMarkdown(config, d, false));
      stream.button({ command: 'llm-router.setApiKey', title: 'Set API Key' });
      return { metadata: { status: 'no-key', prompt, command } satisfies RouterResultMeta };
    }

    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    let decisionId: string | undefined;
    let answer = '';
    // The routing line and its log entry go out once the request has left (a round trip to the window each need
    // not delay it), and always before anything else this turn shows.
    let routing: (() => void) | undefined;
    const showRouting = () => { const f = routing; routing = undefined; f?.(); };
    try {
      const o = await service.run({
        prompt, history, source: 'chat', override, signal: abort.signal,
        onDecision: (d) => {
          timing.decision = performance.now();
          decisionId = d.id;
          routing = () => { rt.log.decision(d, 'chat'); stream.markdown(`*${routedLine(config, d)}*\n\n`); };
          setImmediate(showRouting);
        },
        onText: (t) => { timing.firstText ??= performance.now(); showRouting(); answer += t; stream.markdown(t); },
        onNotice: (m) => { showRouting(); rt.log.info(m); stream.markdown(`\n\n> ${m}\n\n`); },
      }, client);
      showRouting();
      setOutcome(o);
      const id = o.record.id;
      rt.log.info(`chat ${id.slice(0, 8)}: ${o.record.status} · ${outcomeLine(config, o)}`);
      stream.markdown(`\n\n---\n\n${outcomeLine(config, o)} · decision \`${id.slice(0, 8)}\``);
      if (o.budget && o.budget.state !== 'normal') {
        stream.markdown(`\n\nBudget: ${pct(o.budget.usedFraction)} used (${o.budget.state}).`);
      }
      stream.button({ command: 'llm-router.explainDecision', title: 'Why this model?', arguments: [id] });
      // VS Code shows its own thumbs only when a default chat agent (Copilot) is installed: these work everywhere.
      stream.button({ command: 'llm-router.rateAnswer', title: '$(thumbsup) Good answer', arguments: [id, 'up'] });
      stream.button({ command: 'llm-router.rateAnswer', title: '$(thumbsdown) Bad answer', arguments: [id, 'down'] });
      return { metadata: { decisionId: id, answer: o.text, prompt, tier: o.record.tierId, command, status: 'ok' } satisfies RouterResultMeta };
    } catch (e) {
      showRouting();
      const err = e as Error;
      const decision = e instanceof RouteError ? e.decision : null;
      decisionId ??= decision?.id;
      if (e instanceof RouteError && e.kind === 'cancelled' || token.isCancellationRequested) {
        rt.log.info(`chat ${decisionId?.slice(0, 8) ?? ''}: cancelled`);
        return { metadata: { decisionId, answer, prompt, command, status: 'cancelled' } satisfies RouterResultMeta };
      }
      if (e instanceof RouteError && e.kind === 'blocked') {
        rt.log.warn(`chat: refused by the budget: ${err.message}`);
        stream.markdown(`**Not sent: ${err.message}**\n\nRaise the limit in the cost panel or in the \`llmRouter.budget\` settings, or set “on exhausted” to *cheapest*.`);
        stream.button({ command: 'llm-router.showCostPanel', title: 'Open the cost panel' });
        return { metadata: { decisionId, prompt, command, status: 'blocked' } satisfies RouterResultMeta };
      }
      rt.log.error(`chat ${decisionId?.slice(0, 8) ?? ''}: ${err.message}`);
      if (/api key|401|403|unauthori[sz]ed|authentication/i.test(err.message)) {
        stream.button({ command: 'llm-router.setApiKey', title: 'Set API Key' });
      }
      if (decisionId) stream.button({ command: 'llm-router.explainDecision', title: 'Why this model?', arguments: [decisionId] });
      return {
        errorDetails: { message: err.message },
        metadata: { decisionId, answer, prompt, command, status: 'error' } satisfies RouterResultMeta,
      };
    } finally {
      sub.dispose();
    }
  }

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
    onDidHandle: handled?.event ?? (() => ({ dispose() { /* never fires */ } })),
    handleFeedback,
    dispose() { feedbackSub.dispose(); participant.dispose(); handled?.dispose(); },
  };
}
