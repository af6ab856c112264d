// How to point a program at the endpoint, in the words the CLI prints and the VS Code command shows. The token is
// read from its file by the shell (`$(cat …)`), so it lands in neither the scrollback nor the shell's history.

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Shell lines for Claude Code / Anthropic SDKs and for OpenAI-compatible clients (Cline, Continue, Aider, scripts). */
export function usageText(url: string, tokenFile: string): string {
  const tok = `"$(cat ${q(tokenFile)})"`;
  return [
    `LLM Router endpoint on ${url} (its token is in ${tokenFile}, readable only by you)`,
    '',
    'Claude Code and Anthropic SDKs:',
    `  export ANTHROPIC_BASE_URL=${url} ANTHROPIC_API_KEY=${tok}`,
    '  export ANTHROPIC_MODEL=llm-router   # the router chooses (or economy / balanced / quality, or a tier)',
    '',
    'OpenAI-compatible clients (Cline, Continue, Aider, scripts):',
    `  export OPENAI_BASE_URL=${url}/v1 OPENAI_API_KEY=${tok}`,
    '  model: llm-router',
    '',
    'curl:',
    `  curl ${url}/v1/chat/completions -H "Authorization: Bearer $(cat ${q(tokenFile)})" \\`,
    `    -H 'content-type: application/json' -d '{"model":"llm-router","messages":[{"role":"user","content":"hi"}]}'`,
  ].join('\n');
}
