// A real store on a temp file and the real routing service on top of it: what the panel tests and the benchmark
// run against.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore } from '../../../src/core/store';
import { createRouterService } from '../../../src/core/service';
import { defaultConfig } from '../../../src/core/config';
import type { DecisionStore } from '../../../src/core/store/api';
import type { RouterService } from '../../../src/core/service-api';
import type { RouterConfig } from '../../../src/core/types';

export interface Env {
  dir: string;
  dbPath: string;
  store: DecisionStore;
  service: RouterService;
  config: RouterConfig;
  close(): Promise<void>;
}

export async function openEnv(): Promise<Env> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-router-panel-'));
  const dbPath = path.join(dir, 'router.db');
  const config = defaultConfig();
  const store = await openStore({ path: dbPath, debounceMs: 50 });
  const service = createRouterService({ store, config });
  return {
    dir,
    dbPath,
    store,
    service,
    config,
    async close() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
