// The local endpoint (`llm-router serve`, "LLM Router: Start Local Endpoint").
export { startEndpoint, DEFAULT_MAX_BODY, type Endpoint, type EndpointOptions } from './server';
export { ensureToken, TOKEN_FILE } from './security';
export type { EndpointBackend } from './dispatch';
export { usageText } from './usage';
