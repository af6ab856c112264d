// "LLM Router: Start Local Endpoint" / "Stop Local Endpoint": the local endpoint of `llm-router serve`, run inside
// the extension host on the extension's own database, budget, settings and keys (SecretStorage; every tier's client,
// Anthropic and OpenAI-compatible endpoints). Its token lives in
// the extension's global storage, beside the database, readable only by the user. Thin glue: the server is in
// src/core/server (loaded with the heavy modules on first start).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PresetName } from '../core/presets';
import type { Endpoint, EndpointBackend } from '../core/server';
import type { RouterService } from '../core/service-api';
import type { Runtime } from './runtime';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const engine = () => require('./heavyModules') as typeof import('./heavyModules');

export const DEFAULT_PORT = 8787;

export interface EndpointInfo {
  url: string;
  port: number;
  tokenFile: string;
}

export interface LocalEndpoint extends vscode.Disposable {
  /** The running endpoint, or null. */
  readonly info: EndpointInfo | null;
  readonly onDidChange: vscode.Event<void>;
}

/** The port setting (application scope: no workspace decides it); a bad value falls back to the default, said once. */
function portSetting(rt: Runtime): number {
  const v = vscode.workspace.getConfiguration('llmRouter').get<unknown>('endpoint.port', DEFAULT_PORT);
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535) return v;
  rt.log.warn(
    `settings: llmRouter.endpoint.port must be a port number 0–65535, not ${JSON.stringify(v)}: using ${DEFAULT_PORT}`,
  );
  return DEFAULT_PORT;
}

/** The endpoint's backend on the runtime: the service in force (and one per preset, rebuilt with it), every tier's
 *  client, and the keys those clients hold (never to appear in a response or the log). */
function backendFor(rt: Runtime): EndpointBackend {
  let presets: { base: RouterService; byName: Map<PresetName, RouterService> } | null = null;
  let keys: string[] = [];
  return {
    service(p) {
      const base = rt.service;
      if (!p) return base;
      if (presets?.base !== base) presets = { base, byName: new Map() };
      let s = presets.byName.get(p);
      if (!s) {
        const h = engine();
        const st = rt.settings;
        s = h.createRouterService({
          config: h.applyPreset(st.config, p),
          store: rt.store,
          cascade: st.cascade,
          retrainEvery: st.retrainEvery,
          allowStepDown: st.allowStepDown,
        });
        presets.byName.set(p, s);
      }
      return s;
    },
    async client() {
      const clients = await rt.clientFor();
      const found = [(await rt.keys.get())?.key];
      for (const ep of rt.settings.endpoints)
        if (ep.keyName) found.push((await rt.endpointKeys.get(ep.keyName)) ?? undefined);
      keys = found.filter((k): k is string => !!k);
      return clients;
    },
    secrets: () => keys,
  };
}

export function registerEndpoint(rt: Runtime): LocalEndpoint {
  const changed = new vscode.EventEmitter<void>();
  let ep: Endpoint | null = null;
  let info: EndpointInfo | null = null;
  let starting: Promise<EndpointInfo> | null = null;

  const start = async (arg?: { port?: number }): Promise<EndpointInfo> => {
    if (info) return info;
    starting ??= (async () => {
      await rt.ready;
      const h = engine();
      const tokenFile = path.join(path.dirname(rt.dbPath), h.TOKEN_FILE);
      const { token } = h.ensureToken(tokenFile);
      rt.log.addSecret(token);
      const port = typeof arg?.port === 'number' ? arg.port : portSetting(rt);
      ep = await h.startEndpoint({
        token,
        port,
        host: '127.0.0.1',
        backend: backendFor(rt),
        log: (line) => rt.log.info(`endpoint: ${line}`),
      });
      info = { url: ep.url, port: ep.port, tokenFile };
      rt.log.info(`local endpoint started on ${ep.url} (token in ${tokenFile})`);
      changed.fire();
      return info;
    })().finally(() => {
      starting = null;
    });
    return starting;
  };

  const stop = async (): Promise<boolean> => {
    const e = ep;
    if (!e) return false;
    ep = null;
    info = null;
    await e.close();
    rt.log.info('local endpoint stopped');
    changed.fire();
    return true;
  };

  const showSetup = async (i: EndpointInfo) => {
    const doc = await vscode.workspace.openTextDocument({
      language: 'plaintext',
      content: `${engine().usageText(i.url, i.tokenFile)}\n`,
    });
    await vscode.window.showTextDocument(doc, { preview: true });
  };

  const subs = [
    vscode.commands.registerCommand(
      'llm-router.startEndpoint',
      async (arg?: unknown): Promise<EndpointInfo | undefined> => {
        const port =
          arg && typeof arg === 'object' && typeof (arg as { port?: unknown }).port === 'number'
            ? (arg as { port: number }).port
            : undefined;
        try {
          const i = await start({ port });
          void vscode.window
            .showInformationMessage(
              `LLM Router: local endpoint on ${i.url}. Point Claude Code, Cline, Aider or a script at it with its token.`,
              'Show Setup',
            )
            .then((pick) => {
              if (pick) void showSetup(i);
            });
          return i;
        } catch (e) {
          const m =
            (e as NodeJS.ErrnoException).code === 'EADDRINUSE'
              ? `port ${port ?? portSetting(rt)} is in use (set llmRouter.endpoint.port, or stop the other server)`
              : (e as Error).message;
          rt.log.error(`local endpoint not started: ${m}`);
          void vscode.window.showErrorMessage(`LLM Router: the local endpoint did not start: ${m}.`);
          return undefined;
        }
      },
    ),
    vscode.commands.registerCommand('llm-router.stopEndpoint', async (): Promise<boolean> => {
      const was = await stop();
      void vscode.window.setStatusBarMessage(
        was ? 'LLM Router: local endpoint stopped.' : 'LLM Router: the local endpoint was not running.',
        4000,
      );
      return was;
    }),
  ];

  return {
    get info() {
      return info;
    },
    onDidChange: changed.event,
    dispose() {
      subs.forEach((s) => s.dispose());
      void stop();
      changed.dispose();
    },
  };
}
