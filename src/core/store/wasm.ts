// Loads sql.js once per process. The WebAssembly bytes are read here and handed over as `wasmBinary`, so the same
// code works from the bundle (dist/sql-wasm.wasm beside dist/cli.js and dist/extension.js, copied by esbuild.mjs)
// and from source under tsx (node_modules/sql.js/dist/sql-wasm.wasm).
import * as fs from 'node:fs';
import * as path from 'node:path';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';

let loading: Promise<SqlJsStatic> | undefined;

/** Where the sql.js WebAssembly file is: next to this (bundled) file first, then the installed package. */
export function findWasm(): string {
  const tried: string[] = [];
  const beside = path.join(__dirname, 'sql-wasm.wasm');
  tried.push(beside);
  if (fs.existsSync(beside)) return beside;
  try {
    // (loaders such as tsx's tsImport may add a ?query to resolved paths)
    const resolved = require.resolve('sql.js/dist/sql-wasm.wasm').replace(/\?.*$/, '');
    if (fs.existsSync(resolved)) return resolved;
    tried.push(resolved);
  } catch {
    tried.push('sql.js/dist/sql-wasm.wasm (package not installed)');
  }
  throw new Error(`sql.js WebAssembly file not found; looked at: ${tried.join(', ')}`);
}

export function loadSqlJs(): Promise<SqlJsStatic> {
  if (!loading) {
    loading = (async () => {
      const bytes = fs.readFileSync(findWasm());
      const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      return initSqlJs({ wasmBinary });
    })();
    loading.catch(() => {
      loading = undefined; // a later call may succeed (e.g. after the file is restored)
    });
  }
  return loading;
}
