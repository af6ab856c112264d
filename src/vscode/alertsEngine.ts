// The alerts engine as the extension uses it, loaded with the rest of the heavy modules (see heavyModules.ts).
export { createAlertMonitor, postWebhook, webhookHost, webhookProblem, WEBHOOK_ENV } from '../core/alerts/deliver';
export { evaluateAlerts, readAlertSettings } from '../core/alerts/rules';
