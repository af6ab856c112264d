// Tiers served by VS Code language models (GitHub Copilot's Claude or GPT models, or any other extension's) through
// `vscode.lm.selectChatModels` + `sendRequest`: tools forwarded, tool calls streamed back, images passed on. Never
// this extension's own vendor (a request would loop back into the router). VS Code reports no usage, so tokens are
// counted with the model's own tokenizer (`countTokens`) and priced from the API-rate table (src/core/vscodePrices.ts).
import * as vscode from 'vscode';
import { estimateTokens } from '../core/pricing';
import {
  ProviderError,
  type ChatMessage,
  type ChatRequest,
  type ChatResult,
  type ContentPart,
  type ModelClient,
  type ToolCall,
} from '../core/provider/api';
import type { TierConfig, Usage } from '../core/types';
import type { VscodeModelInfo } from '../core/vscodePrices';

/** The router's own vendor in VS Code's model list: never a tier. */
export const OWN_VENDOR = 'llm-router';

/** `vscode.LanguageModelDataPart` exists at run time (VS Code ≥ 1.10x) but not in the 1.104 API types. */
type DataPartCtor = { image(data: Uint8Array, mimeType: string): unknown };
const dataPart = (): DataPartCtor | undefined =>
  (vscode as unknown as { LanguageModelDataPart?: DataPartCtor }).LanguageModelDataPart;

/** The models VS Code offers other than ours. */
export async function availableModels(
  selector: vscode.LanguageModelChatSelector = {},
): Promise<vscode.LanguageModelChat[]> {
  return (await vscode.lm.selectChatModels(selector)).filter((m) => m.vendor !== OWN_VENDOR);
}

export const modelInfo = (m: vscode.LanguageModelChat): VscodeModelInfo => ({
  id: m.id,
  vendor: m.vendor,
  family: m.family,
  name: m.name,
  version: m.version,
  maxInputTokens: m.maxInputTokens,
});

/** Our messages as VS Code's: the system prompt first (the finalized API has no system role), tool calls and results, images. */
export function toVscodeMessages(
  system: string | undefined,
  messages: ChatRequest['messages'],
): vscode.LanguageModelChatMessage[] {
  const out: vscode.LanguageModelChatMessage[] = [];
  if (system) out.push(vscode.LanguageModelChatMessage.User(system));
  for (const m of messages as ChatMessage[]) {
    const parts = typeof m.content === 'string' ? [{ type: 'text', text: m.content } as ContentPart] : m.content;
    const content = parts.flatMap((p): unknown[] => {
      switch (p.type) {
        case 'text':
          return p.text ? [new vscode.LanguageModelTextPart(p.text)] : [];
        case 'tool_use':
          return [new vscode.LanguageModelToolCallPart(p.id, p.name, (p.input ?? {}) as object)];
        case 'tool_result':
          return [new vscode.LanguageModelToolResultPart(p.toolUseId, [new vscode.LanguageModelTextPart(p.content)])];
        case 'image': {
          const D = dataPart();
          return D
            ? [D.image(Buffer.from(p.data, 'base64'), p.mediaType)]
            : [new vscode.LanguageModelTextPart('[an image was attached; this editor cannot pass it on]')];
        }
      }
    });
    if (!content.length) continue;
    const role =
      m.role === 'assistant' ? vscode.LanguageModelChatMessageRole.Assistant : vscode.LanguageModelChatMessageRole.User;
    out.push(new vscode.LanguageModelChatMessage(role, content as vscode.LanguageModelChatMessage['content']));
  }
  return out;
}

/** A ModelClient over one VS Code model, found by the tier's selector (else its model id) each time it is needed. */
export class VscodeModelClient implements ModelClient {
  constructor(private readonly tier: TierConfig) {}

  private async model(): Promise<vscode.LanguageModelChat> {
    const sel = this.tier.selector ?? { id: this.tier.model };
    const found = await availableModels(sel);
    const m = found.find((x) => x.id === this.tier.model) ?? found[0];
    if (!m) {
      throw new ProviderError(
        'not-found',
        `No VS Code language model matches the tier ${this.tier.label} (${JSON.stringify(sel)}). Is the extension that provides it (GitHub Copilot, for example) installed and signed in? Run “LLM Router: Set Up” to pick from the models you have.`,
      );
    }
    return m;
  }

  async stream(
    req: ChatRequest,
    onText?: (delta: string) => void,
    onToolCall?: (call: ToolCall) => void,
  ): Promise<ChatResult> {
    const t0 = performance.now();
    if (req.signal?.aborted) throw new ProviderError('cancelled', 'Cancelled before the request was sent.');
    const model = await this.model();
    const messages = toVscodeMessages(req.system, req.messages);
    const cts = new vscode.CancellationTokenSource();
    const onAbort = () => cts.cancel();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    let text = '';
    let ttftMs: number | null = null;
    const toolCalls: ToolCall[] = [];
    try {
      const res = await model.sendRequest(
        messages,
        {
          justification: 'LLM Router sends this request to the model you chose as one of its tiers.',
          ...(req.tools?.length
            ? {
                tools: req.tools.map((t) => ({
                  name: t.name,
                  description: t.description ?? '',
                  inputSchema: t.inputSchema,
                })),
                toolMode:
                  req.toolMode === 'required'
                    ? vscode.LanguageModelChatToolMode.Required
                    : vscode.LanguageModelChatToolMode.Auto,
              }
            : {}),
        },
        cts.token,
      );
      for await (const part of res.stream) {
        if (part instanceof vscode.LanguageModelTextPart) {
          ttftMs ??= performance.now() - t0;
          text += part.value;
          onText?.(part.value);
        } else if (part instanceof vscode.LanguageModelToolCallPart) {
          const call: ToolCall = { id: part.callId, name: part.name, input: part.input };
          toolCalls.push(call);
          onToolCall?.(call);
        }
        if (req.signal?.aborted) throw new vscode.CancellationError();
      }
      const usage = await this.usage(model, messages, req, text, toolCalls);
      return {
        text,
        usage,
        stopReason: toolCalls.length ? 'tool_use' : 'end_turn',
        model: this.tier.model,
        ttftMs,
        latencyMs: performance.now() - t0,
        attempts: 1,
        toolCalls,
      };
    } catch (e) {
      throw this.toProviderError(e, req.signal?.aborted || cts.token.isCancellationRequested, text);
    } finally {
      req.signal?.removeEventListener('abort', onAbort);
      cts.dispose();
    }
  }

  /** Tokens by the model's own tokenizer (VS Code reports no usage); the 4-characters rule where it cannot count. */
  private async usage(
    model: vscode.LanguageModelChat,
    messages: vscode.LanguageModelChatMessage[],
    req: ChatRequest,
    text: string,
    calls: ToolCall[],
  ): Promise<Usage> {
    const count = async (x: string | vscode.LanguageModelChatMessage, fallback: number) => {
      try {
        return await model.countTokens(x);
      } catch {
        return fallback;
      }
    };
    const inputs = await Promise.all(messages.map((m) => count(m, estimateTokens(JSON.stringify(m.content)))));
    const tools = req.tools?.length ? estimateTokens(JSON.stringify(req.tools)) : 0;
    const out =
      text || calls.length
        ? await count(text + calls.map((c) => JSON.stringify(c.input)).join(''), estimateTokens(text))
        : 0;
    return {
      inputTokens: inputs.reduce((a, b) => a + b, 0) + tools,
      outputTokens: out,
      cacheWriteTokens: 0,
      cacheReadTokens: 0,
    };
  }

  async countTokens(req: Omit<ChatRequest, 'maxTokens' | 'signal'>): Promise<number> {
    const model = await this.model();
    const messages = toVscodeMessages(req.system, req.messages);
    const n = await Promise.all(messages.map((m) => model.countTokens(m)));
    return n.reduce((a, b) => a + b, 0) + (req.tools?.length ? estimateTokens(JSON.stringify(req.tools)) : 0);
  }

  private toProviderError(e: unknown, cancelled: boolean, text: string): ProviderError {
    if (e instanceof ProviderError) return e;
    const label = this.tier.label;
    if (cancelled || e instanceof vscode.CancellationError)
      return new ProviderError('cancelled', 'Cancelled.', null, null, text);
    const msg = e instanceof Error ? e.message : String(e);
    if (e instanceof vscode.LanguageModelError) {
      if (e.code === vscode.LanguageModelError.NoPermissions.name) {
        return new ProviderError(
          'auth',
          `VS Code has not allowed LLM Router to use ${label} (${msg}). Run “LLM Router: Set Up” and accept VS Code's one-time question, or choose other tiers.`,
          null,
          null,
          text,
        );
      }
      if (e.code === vscode.LanguageModelError.NotFound.name)
        return new ProviderError('not-found', `${label} is no longer available in VS Code (${msg}).`, null, null, text);
      if (e.code === vscode.LanguageModelError.Blocked.name)
        return new ProviderError(
          'rate-limit',
          `${label} is blocked for now (quota or rate limit: ${msg}).`,
          null,
          null,
          text,
        );
    }
    return new ProviderError('server', `${label} failed: ${msg}`, null, null, text);
  }
}

/** The client of each VS Code-model tier, made once per tier id and model. */
export function vscodeTierClients(): (tier: TierConfig) => ModelClient | null {
  const made = new Map<string, VscodeModelClient>();
  return (tier) => {
    if (tier.provider !== 'vscode') return null;
    if (tier.selector?.vendor === OWN_VENDOR) return null; // never ourselves
    const key = `${tier.id}\u0000${tier.model}\u0000${JSON.stringify(tier.selector ?? {})}`;
    let c = made.get(key);
    if (!c) made.set(key, (c = new VscodeModelClient(tier)));
    return c;
  };
}
