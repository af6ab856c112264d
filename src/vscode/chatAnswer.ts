// One routed `@router` answer: the routing line, the streamed text, then tokens, cost, saving and the buttons; a
// failure is said in words (refused by the budget, a rejected key, cancelled) with what to do next.
import * as vscode from 'vscode';
import type { AgentRouter } from '../core/agentRun';
import { fitHistory } from '../core/provider/history';
import type { ChatMessage, ClientFor, ModelClient, ToolSpec } from '../core/provider/api';
import { restartMarker, RouteError, type RouteOutcome, type RouteRequest } from '../core/service-api';
import type { Turn } from '../core/types';
import { attachmentWords, runTools, withAttachments, type Attachment } from './chatContext';
import type { ChatTiming } from './chat';
import type { RouterResultMeta } from './chatHistory';
import { pct } from '../core/format';
import { outcomeLine, routedLine } from './format';
import type { Runtime } from './runtime';

export interface AnswerArgs {
  prompt: string;
  history: Turn[];
  override: string | null;
  command: string | undefined;
  client: ModelClient | ClientFor;
  /** #file, selection and symbol references: sent to the model, counted, named in the routing line. */
  attachments?: Attachment[];
  /** Tools the person referenced (#tool): offered to the model, run through VS Code. */
  tools?: ToolSpec[];
  toolToken?: vscode.ChatParticipantToolToken;
  agents?: AgentRouter;
  stream: vscode.ChatResponseStream;
  token: vscode.CancellationToken;
  setOutcome(o: RouteOutcome): void;
  timing: ChatTiming;
}

export async function streamAnswer(rt: Runtime, a: AnswerArgs): Promise<vscode.ChatResult> {
  const { prompt, history, override, command, client, stream, token, setOutcome, timing } = a;
  const service = rt.service;
  const config = service.config;
  const abort = new AbortController();
  const sub = token.onCancellationRequested(() => abort.abort());
  let decisionId: string | undefined;
  let answer = '';
  // The routing line and its log entry go out once the request has left (a round trip to the window each need
  // not delay it), and always before anything else this turn shows.
  let routing: (() => void) | undefined;
  const showRouting = () => {
    const f = routing;
    routing = undefined;
    f?.();
  };
  const attached = attachmentWords(a.attachments ?? []);
  try {
    const req: RouteRequest = {
      prompt,
      history,
      source: 'chat',
      override,
      signal: abort.signal,
      onDecision: (d) => {
        timing.decision = performance.now();
        decisionId = d.id;
        routing = () => {
          rt.log.decision(d, 'chat');
          stream.markdown(`*${routedLine(config, d)}${attached ? ` · with ${attached}` : ''}*\n\n`);
        };
        setImmediate(showRouting);
      },
      onText: (t) => {
        timing.firstText ??= performance.now();
        showRouting();
        answer += t;
        stream.markdown(t);
      },
      // a wait before a retry is a passing state (a progress line); other notices stay in the answer
      // a tier stopped mid-answer and another starts over: a rule and the marker, so the two answers are not glued
      onRestart: (r) => {
        showRouting();
        answer = '';
        stream.markdown(`\n\n---\n\n*${restartMarker(r)}*\n\n`);
      },
      onNotice: (m, kind) => {
        showRouting();
        rt.log.info(m);
        if (kind === 'wait') stream.progress(m);
        else stream.markdown(`\n\n> ${m}\n\n`);
      },
    };
    const o =
      a.agents && (a.attachments?.length || a.tools?.length)
        ? await withContext(rt, a, req)
        : await service.run(req, client);
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
    return {
      metadata: {
        decisionId: id,
        answer: o.text,
        prompt,
        tier: o.record.tierId,
        command,
        status: 'ok',
      } satisfies RouterResultMeta,
    };
  } catch (e) {
    showRouting();
    const err = e as Error;
    const decision = e instanceof RouteError ? e.decision : null;
    decisionId ??= decision?.id;
    if ((e instanceof RouteError && e.kind === 'cancelled') || token.isCancellationRequested) {
      rt.log.info(`chat ${decisionId?.slice(0, 8) ?? ''}: cancelled`);
      return { metadata: { decisionId, answer, prompt, command, status: 'cancelled' } satisfies RouterResultMeta };
    }
    if (e instanceof RouteError && e.kind === 'blocked') {
      rt.log.warn(`chat: refused by the budget: ${err.message}`);
      stream.markdown(
        `**Not sent: ${err.message}**\n\nRaise the limit in the cost panel or in the \`llmRouter.budget\` settings, or set “on exhausted” to *cheapest*.`,
      );
      stream.button({ command: 'llm-router.showCostPanel', title: 'Open the cost panel' });
      return { metadata: { decisionId, prompt, command, status: 'blocked' } satisfies RouterResultMeta };
    }
    rt.log.error(`chat ${decisionId?.slice(0, 8) ?? ''}: ${err.message}`);
    if (/api key|401|403|unauthori[sz]ed|authentication/i.test(err.message)) {
      stream.button({ command: 'llm-router.setApiKey', title: 'Set API Key' });
    }
    if (decisionId)
      stream.button({ command: 'llm-router.explainDecision', title: 'Why this model?', arguments: [decisionId] });
    return {
      errorDetails: { message: err.message },
      metadata: { decisionId, answer, prompt, command, status: 'error' } satisfies RouterResultMeta,
    };
  } finally {
    sub.dispose();
  }
}

/**
 * A request with attachments or referenced tools: the attachments go in the user's message (what is classified stays
 * the person's words), the tools are offered (the first request must use one), and each round of tool calls is run
 * through VS Code and sent back; the whole loop is one decision (src/core/agentRun.ts).
 */
async function withContext(rt: Runtime, a: AnswerArgs, req: RouteRequest): Promise<RouteOutcome> {
  const cfg = rt.service.config;
  const text = withAttachments(a.prompt, a.attachments ?? []);
  const window = Math.min(...cfg.tiers.map((t) => t.contextWindow));
  const fitted = fitHistory(a.history, text, window, cfg.defaultMaxOutputTokens);
  const messages: ChatMessage[] = [...fitted.messages];
  const clients: ClientFor = typeof a.client === 'function' ? a.client : () => a.client as ModelClient;
  const agents = a.agents!;
  const base = {
    system: undefined,
    tools: a.tools?.length ? a.tools : undefined,
    source: req.source,
    override: req.override,
    signal: req.signal,
    onText: req.onText,
    onNotice: req.onNotice,
  };
  let out = await agents.run(
    rt.service,
    {
      ...base,
      messages,
      toolMode: a.tools?.length ? 'required' : 'auto',
      onDecision: (d, continued) => {
        if (!continued) req.onDecision?.(d);
      },
    },
    clients,
  );
  const first = out.routed!;
  let all = out.text;
  for (let round = 0; out.toolCalls.length && a.toolToken && round < 8; round++) {
    messages.push(...(await runTools(out.toolCalls, a.toolToken, a.token)));
    out = await agents.run(rt.service, { ...base, messages, toolMode: 'auto' }, clients);
    all += out.text;
  }
  const rec = out.record ?? first.record;
  return {
    ...first,
    record: rec,
    text: all,
    totalCostUsd: rec.costUsd,
    baselineCostUsd: rec.baselineCostUsd,
    savedUsd: rec.costUsd !== null && rec.baselineCostUsd !== null ? rec.baselineCostUsd - rec.costUsd : null,
  };
}
