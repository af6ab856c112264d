// What people attach to an `@router` request: `#file`, the selection, symbols (request.references) go into the prompt
// the model gets (not into what is classified), are counted in the estimate and cost, and are named in the routing
// line; tools they reference (`#someTool`, request.toolReferences) are offered to the model, which must use them,
// and the router runs them through VS Code (lm.invokeTool) in a loop that is recorded as one decision.
import * as vscode from 'vscode';
import { estimateTokens } from '../core/pricing';
import type { ChatMessage, ContentPart, ToolCall, ToolSpec } from '../core/provider/api';

/** Most characters taken from one attached file (a larger one is cut, and says so). */
export const MAX_ATTACHMENT_CHARS = 60_000;

export interface Attachment {
  /** How the routing line names it: "README.md", "selection in main.ts:10-24", "symbol parse". */
  label: string;
  text: string;
}

const rel = (u: vscode.Uri) => vscode.workspace.asRelativePath(u, false);

async function fileText(uri: vscode.Uri, range?: vscode.Range): Promise<string> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const t = range ? doc.getText(range) : doc.getText();
  return t.length > MAX_ATTACHMENT_CHARS
    ? `${t.slice(0, MAX_ATTACHMENT_CHARS)}\n… (cut at ${MAX_ATTACHMENT_CHARS} characters)`
    : t;
}

/** The text of each reference: a whole file, a range (a selection or a symbol), or a string value. */
export async function readReferences(refs: readonly vscode.ChatPromptReference[]): Promise<Attachment[]> {
  const out: Attachment[] = [];
  for (const r of refs) {
    try {
      const v = r.value;
      if (v instanceof vscode.Uri) out.push({ label: rel(v), text: await fileText(v) });
      else if (v instanceof vscode.Location) {
        const kind = r.id.includes('selection')
          ? 'selection'
          : r.id.startsWith('vscode.symbol') || r.modelDescription?.includes('symbol')
            ? 'symbol'
            : 'lines';
        out.push({
          label: `${kind} in ${rel(v.uri)}:${v.range.start.line + 1}-${v.range.end.line + 1}`,
          text: await fileText(v.uri, v.range),
        });
      } else if (typeof v === 'string' && v.trim())
        out.push({ label: r.modelDescription?.slice(0, 40) || r.id, text: v });
    } catch {
      out.push({ label: `${r.id} (could not be read)`, text: '' });
    }
  }
  return out.filter((a) => a.text || a.label.endsWith('(could not be read)'));
}

/** The prompt as the model gets it: the attachments first, each in its own element, then the person's words. */
export function withAttachments(prompt: string, atts: readonly Attachment[]): string {
  if (!atts.length) return prompt;
  const blocks = atts
    .filter((a) => a.text)
    .map((a) => `<attachment name="${a.label.replace(/"/g, "'")}">\n${a.text}\n</attachment>`);
  return `<attachments>\n${blocks.join('\n')}\n</attachments>\n\n${prompt}`;
}

/** "2 attachments: README.md, selection in main.ts:3-9 (~1,234 tokens)". */
export function attachmentWords(atts: readonly Attachment[]): string {
  if (!atts.length) return '';
  const tokens = atts.reduce((s, a) => s + estimateTokens(a.text), 0);
  return `${atts.length === 1 ? '1 attachment' : `${atts.length} attachments`}: ${atts.map((a) => a.label).join(', ')} (~${tokens.toLocaleString('en-US')} tokens)`;
}

/** The tools a request references, as the model is offered them. */
export function referencedTools(refs: readonly vscode.ChatLanguageModelToolReference[]): ToolSpec[] {
  const names = new Set(refs.map((r) => r.name));
  return vscode.lm.tools
    .filter((t) => names.has(t.name))
    .map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: (t.inputSchema as Record<string, unknown> | undefined) ?? { type: 'object', properties: {} },
    }));
}

/** Runs the model's tool calls through VS Code (the chat shows each), and returns the messages that carry them on. */
export async function runTools(
  calls: readonly ToolCall[],
  token: vscode.ChatParticipantToolToken,
  cancel: vscode.CancellationToken,
): Promise<ChatMessage[]> {
  const results: ContentPart[] = [];
  for (const c of calls) {
    try {
      const r = await vscode.lm.invokeTool(
        c.name,
        { input: (c.input ?? {}) as object, toolInvocationToken: token },
        cancel,
      );
      const text = r.content
        .map((p) =>
          p instanceof vscode.LanguageModelTextPart
            ? p.value
            : p instanceof vscode.LanguageModelPromptTsxPart
              ? JSON.stringify(p.value)
              : '',
        )
        .join('');
      results.push({ type: 'tool_result', toolUseId: c.id, content: text || '(no output)' });
    } catch (e) {
      results.push({
        type: 'tool_result',
        toolUseId: c.id,
        content: `The tool failed: ${(e as Error).message}`,
        isError: true,
      });
    }
  }
  return [
    {
      role: 'assistant',
      content: calls.map((c) => ({ type: 'tool_use' as const, id: c.id, name: c.name, input: c.input })),
    },
    { role: 'user', content: results },
  ];
}
