// Where workflows come from: a file path, or a name looked up in folders (a workspace's `.llm-router/workflows`, then
// the examples shipped with the extension and the CLI: src/core/workflows/examples under tsx, dist/workflows in the
// bundle, copied there by esbuild.mjs).
import * as fs from 'node:fs';
import * as path from 'node:path';

const EXT = ['.yaml', '.yml', '.json'];

/** The folder of the shipped examples. */
export function examplesDir(): string {
  const candidates = [path.join(__dirname, 'examples'), path.join(__dirname, 'workflows')];
  return candidates.find((d) => fs.existsSync(d)) ?? candidates[0];
}

/** The folder a workspace keeps its own workflows in. */
export const WORKSPACE_DIR = path.join('.llm-router', 'workflows');

export interface WorkflowFile {
  name: string;
  path: string;
}

/** Workflow files in the folders, the first folder winning for a name. */
export function listWorkflowFiles(dirs: readonly string[]): WorkflowFile[] {
  const out = new Map<string, WorkflowFile>();
  for (const dir of dirs) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const f of names.sort()) {
      const ext = EXT.find((e) => f.toLowerCase().endsWith(e));
      if (!ext) continue;
      const name = f.slice(0, -ext.length);
      if (!out.has(name)) out.set(name, { name, path: path.join(dir, f) });
    }
  }
  return [...out.values()];
}

/** A path to an existing file, or a name in the folders; throws with the names there are when nothing matches. */
export function findWorkflowFile(nameOrPath: string, dirs: readonly string[]): WorkflowFile {
  const arg = nameOrPath.trim();
  if (!arg) throw new Error('which workflow? Give a file or one of the names `llm-router workflow list` shows');
  if (
    (arg.includes('/') || arg.includes('\\') || EXT.some((e) => arg.toLowerCase().endsWith(e))) &&
    fs.existsSync(arg)
  ) {
    return { name: path.basename(arg).replace(/\.(ya?ml|json)$/i, ''), path: arg };
  }
  const all = listWorkflowFiles(dirs);
  const hit = all.find((f) => f.name.toLowerCase() === arg.toLowerCase());
  if (hit) return hit;
  throw new Error(
    `no workflow "${arg}": not a file, and not one of ${all.map((f) => f.name).join(', ') || '(none found)'}`,
  );
}

export function readWorkflowFile(f: WorkflowFile): string {
  try {
    return fs.readFileSync(f.path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${f.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
