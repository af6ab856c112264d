// Reads the `llmRouter.*` settings from VS Code; core/settings.ts validates them.
import * as vscode from 'vscode';
import { readSettings, SECTION, type Settings } from '../core/settings';

export type { Settings };

/** The current settings, read now. */
export function loadSettings(): Settings {
  return readSettings(vscode.workspace.getConfiguration(SECTION));
}
