// The Anthropic API key: in VS Code's SecretStorage (the OS keychain), with ANTHROPIC_API_KEY from the environment
// as a fallback. Never in settings, logs or the database.
import * as vscode from 'vscode';
import { envKeyName } from '../core/provider/keys';

export const SECRET_KEY = 'llm-router.anthropicApiKey';

export type KeySource = 'secret-storage' | 'environment' | 'none';

export class ApiKeys implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires when the stored key was set or cleared (here or in another window). */
  readonly onDidChange = this.emitter.event;
  private readonly sub: vscode.Disposable;
  /** SecretStorage is a round trip to the window (the browser in code-server): read once, re-read after a change. */
  private cached: Promise<string | undefined> | undefined;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.sub = secrets.onDidChange((e) => {
      if (e.key !== SECRET_KEY) return;
      this.cached = undefined;
      this.emitter.fire();
    });
  }

  async get(): Promise<{ key: string; source: KeySource } | null> {
    this.cached ??= Promise.resolve(this.secrets.get(SECRET_KEY)).catch((e) => {
      this.cached = undefined;
      throw e;
    });
    const stored = await this.cached;
    if (stored) return { key: stored, source: 'secret-storage' };
    const env = this.env.ANTHROPIC_API_KEY?.trim();
    if (env) return { key: env, source: 'environment' };
    return null;
  }

  async has(): Promise<boolean> {
    return (await this.get()) !== null;
  }

  /** Stores a key; returns a problem in words when it does not look like a key (nothing is stored then). */
  async set(raw: string): Promise<string | null> {
    const key = raw.trim();
    const problem = checkKey(key);
    if (problem) return problem;
    this.cached = undefined;
    await this.secrets.store(SECRET_KEY, key);
    this.cached = undefined;
    return null;
  }

  async clear(): Promise<void> {
    this.cached = undefined;
    await this.secrets.delete(SECRET_KEY);
    this.cached = undefined;
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}

/** A problem with a pasted key, in words, or null. Accepts any non-trivial token (gateways use their own keys). */
export function checkKey(key: string): string | null {
  if (!key) return 'The key is empty.';
  if (/\s/.test(key)) return 'The key contains spaces or line breaks: paste only the key.';
  if (key.length < 8) return 'That is too short to be an API key.';
  return null;
}

/** "sk-ant-…abcd": safe to show; never log more than this. */
export function maskKey(key: string): string {
  return key.length <= 8 ? '…' : `${key.slice(0, 7)}…${key.slice(-4)}`;
}

/** SecretStorage name of an OpenAI-compatible endpoint's key. */
export const endpointSecretKey = (keyName: string) => `llm-router.endpointKey.${keyName}`;

/** Keys of OpenAI-compatible endpoints, by the key name an endpoint gives (llmRouter.endpoints): SecretStorage first,
 *  LLM_ROUTER_KEY_<KEYNAME> from the environment as a fallback. */
export class EndpointKeys implements vscode.Disposable {
  /** SecretStorage is a round trip to the window: each key is read once, again after it changed. */
  private readonly cached = new Map<string, Promise<string | undefined>>();
  private readonly sub: vscode.Disposable;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.sub = secrets.onDidChange((e) => {
      if (e.key.startsWith(endpointSecretKey(''))) this.cached.clear();
    });
  }

  async get(keyName: string): Promise<string | null> {
    const name = endpointSecretKey(keyName);
    let p = this.cached.get(name);
    if (!p) {
      p = Promise.resolve(this.secrets.get(name));
      this.cached.set(name, p);
      p.catch(() => this.cached.delete(name));
    }
    const stored = await p;
    if (stored) return stored;
    return this.env[envKeyName(keyName)]?.trim() || null;
  }

  /** Stores a key; a problem in words when it does not look like one (nothing is stored then). */
  async set(keyName: string, raw: string): Promise<string | null> {
    const key = raw.trim();
    const problem = checkKey(key);
    if (problem) return problem;
    this.cached.clear();
    await this.secrets.store(endpointSecretKey(keyName), key);
    this.cached.clear();
    return null;
  }

  async clear(keyName: string): Promise<void> {
    this.cached.clear();
    await this.secrets.delete(endpointSecretKey(keyName));
    this.cached.clear();
  }

  dispose(): void {
    this.sub.dispose();
  }
}
