// The heavy half of the extension: the routing service, the sql.js store, the Anthropic SDK client and the settings
// schema (zod). runtime.ts loads it with require('./heavyModules') on first use, after activate() has returned, so
// activation neither evaluates nor (when the build emits it as its own dist/heavyModules.js) even parses this code.
export { openStore } from '../core/store';
export { createRouterService } from '../core/service';
export { neighbourAdjuster } from '../core/neighbours/fromStore';
export { liveJudge } from '../core/judge/live';
export { AnthropicClient } from '../core/provider/anthropic';
export { createClientFor } from '../core/provider/endpoints';
export { createPool } from '../core/pool';
export { layerClients } from '../core/cache';
export { withTelemetry } from '../core/telemetry';
export { loadSettings } from './settings';
// The cost panel's host half (view model, handlers): it reads the classifier's fine-tune record, so it is loaded
// with the engine when the view is first opened, not at activation.
export { PanelController } from '../panel/host';

// The local endpoint ("LLM Router: Start Local Endpoint"), loaded on first start.
export { ensureToken, startEndpoint, TOKEN_FILE, usageText } from '../core/server';
export { applyPreset } from '../core/presets';
// Workflows (yaml, zod): `@router /workflow`.
export * as workflows from './workflowEngine';
// A/B experiments: routing by arm and the status report.
export * as experiments from './experimentEngine';
// Alerts: rules, cool-down, webhook.
export * as alerts from './alertsEngine';
