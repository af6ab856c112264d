// The "LLM Router" output channel: one line per decision and problem. Never a secret: every line passes `redact`.
import * as vscode from 'vscode';
import { formatUsd } from '../core/format';
import { redactSecrets } from '../core/redact';
import type { Decision } from '../core/types';

export interface Log extends vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  decision(d: Decision, source: string): void;
  /** Strings that must never appear in the log (the API key): replaced by a mask wherever they occur. */
  addSecret(secret: string): void;
}

export function createLog(name = 'LLM Router'): Log {
  const channel = vscode.window.createOutputChannel(name, { log: true });
  const secrets = new Set<string>();
  const redact = (m: string) => redactSecrets(m, secrets);
  return {
    channel,
    info: (m) => channel.info(redact(m)),
    warn: (m) => channel.warn(redact(m)),
    error: (m) => channel.error(redact(m)),
    decision(d, source) {
      channel.info(
        redact(
          `[${source}] ${d.id.slice(0, 8)} → ${d.model} (${d.tierId}) · ${d.complexity}/${d.category} · score ${d.score.toFixed(2)} · confidence ${d.confidence.toFixed(2)} · est ${formatUsd(d.estCostUsd)}${d.override ? ` · forced ${d.override}` : ''} · ${d.reasons.join('; ')}`,
        ),
      );
    },
    addSecret: (s) => {
      if (s.length >= 8) secrets.add(s);
    },
    dispose: () => channel.dispose(),
  };
}
