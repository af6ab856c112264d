// Where an OpenAI-compatible endpoint's key comes from outside VS Code. Pure and tiny: the editor's activation path
// imports it without the SDKs.

/** LLM_ROUTER_KEY_<NAME>: the environment variable that holds the key kept under `name` (upper-cased, any other
 *  character as `_`): LLM_ROUTER_KEY_OPENROUTER, LLM_ROUTER_KEY_TEAM_GATEWAY. */
export function envKeyName(name: string): string {
  return `LLM_ROUTER_KEY_${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}
