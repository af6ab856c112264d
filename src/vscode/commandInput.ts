// What the commands share with a person: the prompt to work on, and a Markdown document to show a result in.
import * as vscode from 'vscode';

/** The prompt: the argument when it is text, else the editor's selection, else what the person types. */
export async function promptText(arg: unknown, title: string): Promise<string | undefined> {
  if (typeof arg === 'string' && arg.trim()) return arg;
  const ed = vscode.window.activeTextEditor;
  if (ed && !ed.selection.isEmpty) return ed.document.getText(ed.selection);
  const v = await vscode.window.showInputBox({
    title,
    prompt: 'The prompt to route',
    placeHolder: 'e.g. Prove that the square root of 2 is irrational',
    ignoreFocusOut: true,
  });
  return v?.trim() ? v : undefined;
}

/** Opens a Markdown document with this text (read by a person, not saved). */
export async function showMarkdown(content: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
  await vscode.window.showTextDocument(doc, { preview: true });
  return doc;
}
