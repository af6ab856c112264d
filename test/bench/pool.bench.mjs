// OpenAI-compatible tiers through the pool, de-duplication and cache, against the local Chat Completions server:
// time to first token and whole-answer time of the layered client against the bare OpenAIClient (ratio in one run),
// a cache hit, a paused backend's refusal, and 20 identical concurrent requests. Prints a Markdown section.
// Run: node test/bench/run.mjs pool   (or: node test/bench/pool.bench.mjs [--quick])
import { tsImport } from 'tsx/esm/api';

const quick = process.argv.includes('--quick');
// One tsImport of one module: the pool and the clients must share one ProviderError class.
const { main } = await tsImport('./pool.run.ts', import.meta.url);
process.stdout.write(await main(quick ? 60 : 300));
