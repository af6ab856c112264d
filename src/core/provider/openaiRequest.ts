// A chat request in Chat Completions' form: the body the OpenAI SDK streams, our messages as its messages.
import type OpenAI from 'openai';
import type {
  ChatCompletionContentPart,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import type { ChatRequest } from './api';

export function toOpenAIBody(req: ChatRequest): OpenAI.Chat.ChatCompletionCreateParamsStreaming {
  const tools: ChatCompletionTool[] | undefined = req.tools?.map((t) => ({
    type: 'function',
    function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.inputSchema },
  }));
  return {
    model: req.model,
    messages: toOpenAIMessages(req.messages, req.system),
    max_tokens: req.maxTokens,
    stream: true,
    stream_options: { include_usage: true },
    ...(tools?.length ? { tools, tool_choice: req.toolMode === 'required' ? 'required' : 'auto' } : {}),
  };
}

/** Our messages in Chat Completions' form: the system prompt first, tool calls as `tool_calls` on the assistant's
 *  message, each tool result as its own `tool` message. */
export function toOpenAIMessages(messages: ChatRequest['messages'], system?: string): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = system ? [{ role: 'system', content: system }] : [];
  for (const m of messages) {
    if (typeof m.content === 'string') {
      out.push({ role: m.role, content: m.content });
      continue;
    }
    if (m.role === 'assistant') {
      const text = m.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('');
      const calls = m.content.flatMap((p) =>
        p.type === 'tool_use'
          ? [
              {
                id: p.id,
                type: 'function' as const,
                function: { name: p.name, arguments: JSON.stringify(p.input ?? {}) },
              },
            ]
          : [],
      );
      out.push({ role: 'assistant', content: text || null, ...(calls.length ? { tool_calls: calls } : {}) });
      continue;
    }
    for (const p of m.content)
      if (p.type === 'tool_result')
        out.push({ role: 'tool', tool_call_id: p.toolUseId, content: p.isError ? `Error: ${p.content}` : p.content });
    const parts: ChatCompletionContentPart[] = m.content.flatMap((p): ChatCompletionContentPart[] =>
      p.type === 'text'
        ? [{ type: 'text', text: p.text }]
        : p.type === 'image'
          ? [{ type: 'image_url', image_url: { url: `data:${p.mediaType};base64,${p.data}` } }]
          : [],
    );
    if (parts.length)
      out.push({
        role: 'user',
        content: parts.every((p) => p.type === 'text')
          ? parts.map((p) => (p as { text: string }).text).join('')
          : parts,
      });
  }
  return out;
}
