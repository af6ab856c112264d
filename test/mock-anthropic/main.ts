// Runs the local Messages API stand-in by hand:  node --import tsx test/mock-anthropic/main.ts [--port 8787] [--scenario slow] [--first-byte ms] [--key sk-…] [--quiet]
// Prints the base URL; point the SDK, the CLI (--base-url / ANTHROPIC_BASE_URL) or the llmRouter.baseUrl setting at it.
import { isScenarioKind, startMockAnthropic } from './server';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

async function main(): Promise<void> {
  const port = arg('port') !== undefined ? Number(arg('port')) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0..65535, got ${arg('port')}`);
  const scenario = arg('scenario') ?? 'ok';
  if (!isScenarioKind(scenario)) throw new Error(`--scenario: unknown scenario "${scenario}"`);
  const firstByte = arg('first-byte') !== undefined ? Number(arg('first-byte')) : 0;
  if (!Number.isFinite(firstByte) || firstByte < 0)
    throw new Error(`--first-byte must be a number of ms ≥ 0, got ${arg('first-byte')}`);
  const mock = await startMockAnthropic({
    port,
    scenario: firstByte ? { kind: scenario, firstByteDelayMs: firstByte } : scenario,
    apiKey: arg('key'),
    log: !process.argv.includes('--quiet'),
  });
  process.stdout.write(`${mock.url}\n`);
  process.stderr.write(
    `Local Anthropic Messages API stand-in at ${mock.url} (Ctrl+C to stop). Put [[mock:529]], [[mock:slow delay=100]], … in a prompt to pick a scenario.\n`,
  );
  const stop = () => {
    void mock.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  process.stderr.write(`mock-anthropic: ${(e as Error).message}\n`);
  process.exit(1);
});
