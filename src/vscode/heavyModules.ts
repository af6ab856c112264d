// The heavy half of the extension: the routing service, the sql.js store, the Anthropic SDK client and the settings
// schema (zod). runtime.ts loads it with require('./heavyModules') on first use, after activate() has returned, so
// activation neither evaluates nor (when the build emits it as its own dist/heavyModules.js) even parses this code.
export { openStore } from '../core/store';
export { createRouterService } from '../core/service';
export { AnthropicClient } from '../core/provider/anthropic';
export { createClientFor } from '../core/provider/endpoints';
export { loadSettings } from './settings';
// The cost panel's host half (view model, handlers): it reads the classifier's fine-tune record, so it is loaded
// with the engine when the view is first opened, not at activation.
export { PanelController } from '../panel/host';
