// `llm-router`: the routing engine and its database from a terminal. Every command has --help.
import { Command, CommanderError } from 'commander';
import { version } from '../../package.json';
import { commands } from './commands';
import { redactStderr, watchStdout } from './io';

export function buildProgram(): Command {
  const program = new Command('llm-router')
    .description('Route prompts to the cheapest Claude model that can answer them well, and see what it saved.')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (s, write) => write(s) });
  for (const register of commands) register(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  watchStdout();
  redactStderr(() => [process.env.ANTHROPIC_API_KEY ?? ''].filter((k) => k.trim()));
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    process.stderr.write(`llm-router: ${(e as Error).message}\n`);
    if (process.env.LLM_ROUTER_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main(process.argv);
