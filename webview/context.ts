// What every part of the panel shares: the message endpoint to the host, the status line, and the webview state
// VS Code keeps across reloads of the view. One object, passed to each section (no module-level state).
import { WebviewEndpoint, type Period, type WireMessage } from './protocol';

export interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
}

/** What the webview remembers across reloads (VS Code webview state). */
export interface SavedState {
  period?: Period;
}

export type Level = 'info' | 'warning' | 'error';

export class PanelContext {
  readonly endpoint: WebviewEndpoint;
  /** The status line shows a notice from the host (cleared when the next state arrives). */
  private noticeShown = false;

  constructor(
    private readonly api: VsCodeApi,
    private readonly status: HTMLElement,
  ) {
    this.endpoint = new WebviewEndpoint((m: WireMessage) => api.postMessage(m));
  }

  /** A sentence in the status line (announced to screen readers). */
  say(message: string, level: Level = 'info'): void {
    this.status.textContent = message;
    this.status.dataset.level = level;
  }

  /** A problem the host reported on its own (not the answer to an action). */
  notice(message: string, level: Level): void {
    this.say(message, level);
    this.noticeShown = true;
  }

  /** A state arrived: the host's earlier problem is over. */
  clearNotice(): void {
    if (this.noticeShown) {
      this.noticeShown = false;
      this.say('');
    }
  }

  get saved(): SavedState {
    return (this.api.getState() ?? {}) as SavedState;
  }

  remember(patch: SavedState): void {
    this.api.setState({ ...this.saved, ...patch });
  }
}
