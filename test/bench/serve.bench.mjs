// `llm-router serve` under load: requests per second through the endpoint at 1, 10 and 100 concurrent streams, and
// its overhead on time to first token against calling the upstream directly (a ratio, from one interleaved run).
//
// Three processes, so no one's work shares another's event loop: the local Messages API stand-in (upstream), the real
// `llm-router serve` (the CLI from source, its own database, the upstream key in its environment), and this process,
// the clients. Throughput: keep-alive node:http clients stream Anthropic Messages answers (`stream: true`, model
// `llm-router`: every request classified, decided, budget-checked, recorded and priced) and read each to its end;
// the same load straight at the upstream gives the ceiling. TTFT: the official SDK streams one answer at a time,
// alternating direct and through serve (order shuffled each round); TTFT = call → first text delta.
//
// Run: node test/bench/run.mjs serve   (or: node test/bench/serve.bench.mjs [--quick] [--seconds S] [--runs N] [--first-byte MS])
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const Anthropic = createRequire(import.meta.url)('@anthropic-ai/sdk').default;
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const num = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const SECONDS = num('--seconds', quick ? 2 : 5);
const RUNS = num('--runs', quick ? 60 : 200);
const FIRST_BYTE = num('--first-byte', 0);
const LEVELS = [1, 10, 100];
const KEY = 'sk-ant-bench-serve-not-a-real-key';
const prompt = (i) => `Bench prompt ${i}: explain in two sentences why the sky is blue.`;

/** Spawns a program and resolves with the first stdout line matching `re`. */
function startProcess(args, env, re) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => {
    err = (err + d).slice(-4000);
  });
  const ready = new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = re.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (c) => reject(new Error(`${args.join(' ')} exited ${c}: ${err}`)));
  });
  return { child, ready, stop: () => child.kill('SIGTERM') };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One streamed answer read to its end; resolves with the ms to the first text delta. */
function streamOnce(base, headers, i) {
  const u = new URL('/v1/messages', base);
  const body = JSON.stringify({
    model: headers['x-model'],
    max_tokens: 512,
    stream: true,
    messages: [{ role: 'user', content: prompt(i) }],
  });
  const h = { ...headers };
  delete h['x-model'];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = null;
    const req = http.request(
      {
        agent,
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: { ...h, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`HTTP ${res.statusCode}`));
          return;
        }
        let tail = '';
        res.on('data', (c) => {
          if (first === null && String(c).includes('text_delta')) first = performance.now() - t0;
          tail = (tail + c).slice(-200);
        });
        res.on('end', () =>
          tail.includes('message_stop') ? resolve(first) : reject(new Error('the stream ended without message_stop')),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Requests per second with `c` clients streaming back to back for `seconds`. */
async function throughput(base, headers, c, seconds) {
  let done = 0;
  let failed = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  const lat = [];
  await Promise.all(
    Array.from({ length: c }, async (_, k) => {
      let i = k * 1_000_000;
      while (performance.now() < end) {
        const s = performance.now();
        try {
          await streamOnce(base, headers, i++);
          done++;
          lat.push(performance.now() - s);
        } catch {
          failed++;
        }
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  return { rps: done / secs, failed, p50: pct(lat, 0.5), p99: pct(lat, 0.99) };
}

/** CPU seconds a process has used so far (Linux /proc; null elsewhere): a figure the machine's load does not change. */
function cpuSeconds(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

const pct = (a, q) => {
  if (!a.length) return NaN;
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

async function main() {
  const load0 = os.loadavg()[0];
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'llmr-serve-bench-'));
  const mock = startProcess(
    ['--import', 'tsx', 'test/mock-anthropic/main.ts', '--port', '0', '--first-byte', String(FIRST_BYTE), '--quiet'],
    {},
    /^(http:\/\/\S+)\s*$/m,
  );
  const upstream = await mock.ready;
  const db = join(dir, 'router.sqlite');
  const serve = startProcess(
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'serve',
      '--port',
      '0',
      '--db',
      db,
      '--base-url',
      upstream,
      '--rate',
      '100000000',
    ],
    { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: '' },
    /endpoint on (http:\/\/\S+)/,
  );
  try {
    const url = await serve.ready;
    const token = fs.readFileSync(join(dir, 'endpoint-token'), 'utf8').trim();
    const viaServe = { 'x-api-key': token, 'anthropic-version': '2023-06-01', 'x-model': 'llm-router' };
    const direct = { 'x-api-key': KEY, 'anthropic-version': '2023-06-01', 'x-model': 'claude-haiku-4-5' };
    // warm-up: JIT, connections, the classifier's first load
    for (let i = 0; i < 30; i++) {
      await streamOnce(url, viaServe, i);
      await streamOnce(upstream, direct, i);
    }

    const rows = [];
    for (const c of LEVELS) {
      const d = await throughput(upstream, direct, c, SECONDS);
      const cpu0 = cpuSeconds(serve.child.pid);
      const t0 = performance.now();
      const s = await throughput(url, viaServe, c, SECONDS);
      const cpu1 = cpuSeconds(serve.child.pid);
      const wall = (performance.now() - t0) / 1000;
      const cpuMs = cpu0 === null || cpu1 === null ? null : ((cpu1 - cpu0) * 1000) / Math.max(1, s.rps * wall);
      rows.push({ c, d, s, cpuMs });
    }

    // TTFT, one request at a time through the official SDK, alternating.
    const sdkServe = new Anthropic({ apiKey: token, baseURL: url, maxRetries: 0, logLevel: 'off' });
    const sdkDirect = new Anthropic({ apiKey: KEY, baseURL: upstream, maxRetries: 0, logLevel: 'off' });
    const once = async (sdk, model, i) => {
      let first = null;
      const t0 = performance.now();
      const s = sdk.messages.stream({ model, max_tokens: 512, messages: [{ role: 'user', content: prompt(i) }] });
      s.on('text', () => {
        first ??= performance.now() - t0;
      });
      await s.finalMessage();
      return first;
    };
    for (let i = 0; i < 20; i++) {
      await once(sdkServe, 'llm-router', i);
      await once(sdkDirect, 'claude-haiku-4-5', i);
    }
    const tServe = [];
    const tDirect = [];
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < RUNS; i++) {
      if (rnd() < 0.5) {
        tServe.push(await once(sdkServe, 'llm-router', i));
        tDirect.push(await once(sdkDirect, 'claude-haiku-4-5', i));
      } else {
        tDirect.push(await once(sdkDirect, 'claude-haiku-4-5', i));
        tServe.push(await once(sdkServe, 'llm-router', i));
      }
    }
    const mS = pct(tServe, 0.5);
    const mD = pct(tDirect, 0.5);
    const diff = pct(
      tServe.map((x, i) => x - tDirect[i]),
      0.5,
    );

    const f1 = (v) => v.toFixed(1);
    const lines = [
      '## Local endpoint (`llm-router serve`)',
      '',
      `Upstream: the local Messages API stand-in in its own process${FIRST_BYTE ? ` (first byte after ${FIRST_BYTE} ms)` : ' (answers at once)'}; serve: the CLI from source in its own process, on a fresh database, ` +
        `every request routed (model \`llm-router\`), recorded and priced. Clients: keep-alive node:http streams read to message_stop, ${SECONDS} s per level. ` +
        `Load average ${load0.toFixed(2)} → ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores (shared).`,
      '',
      '| concurrent streams | direct to upstream (req/s) | through serve (req/s) | serve / direct | serve latency p50 / p99 | serve CPU per request | failed |',
      '|---:|---:|---:|---:|---:|---:|---:|',
      ...rows.map(
        ({ c, d, s, cpuMs }) =>
          `| ${c} | ${f1(d.rps)} | ${f1(s.rps)} | ${(s.rps / d.rps).toFixed(2)} | ${f1(s.p50)} / ${f1(s.p99)} ms | ${cpuMs === null ? 'n/a' : `${cpuMs.toFixed(1)} ms`} | ${s.failed + d.failed} |`,
      ),
      '',
      "Serve CPU per request: the serve process's own CPU time (user + system, /proc) over the requests it answered at that level; unlike req/s it does not depend on what else the machine runs. Its inverse is the most one core could serve.",
      '',
      `Time to first token, ${RUNS} answers each through the official SDK, one at a time, alternating: direct ${mD.toFixed(2)} ms, through serve ${mS.toFixed(2)} ms (median); ` +
        `ratio **${(mS / mD).toFixed(2)}×**, paired median overhead ${diff >= 0 ? '+' : ''}${diff.toFixed(2)} ms per request (classify, decide, budget check, record, a second HTTP hop).`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    serve.stop();
    mock.stop();
    agent.destroy();
    await new Promise((r) => setTimeout(r, 300));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
