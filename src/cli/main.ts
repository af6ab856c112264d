// `llm-router`: the routing engine and its database from a terminal. Every command has --help.
import { Command, CommanderError } from 'commander';
import { version } from '../../package.json';
import { commands } from './commands';
import { cliStreams, env, processStreams, redactStderr, warn, withCliStreams, writeErr, type CliStreams } from './io';

/** The program with every command. Usage errors throw (a CommanderError) instead of exiting the process, and
 *  commander's own output (help, usage errors) goes to the run's streams: both are set before the commands are
 *  added, since each command copies them from its parent when it is made. */
export function buildProgram(): Command {
  const program = new Command('llm-router')
    .description('Route prompts to the cheapest Claude model that can answer them well, and see what it saved.')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => cliStreams().stdout.write(s),
      writeErr: (s) => writeErr(s),
      outputError: (s, write) => write(s),
    });
  for (const register of commands) register(program);
  return program;
}

/**
 * Runs the CLI on `args` (the words after `llm-router`) with these streams and returns its exit code; it never
 * exits the process, so tests run it in process (test/unit/fixtures/cli.ts).
 */
export async function main(args: string[], streams: CliStreams = processStreams()): Promise<number> {
  const { result, exitCode } = await withCliStreams(streams, async () => {
    try {
      await buildProgram().parseAsync(args, { from: 'user' });
    } catch (e) {
      if (e instanceof CommanderError) return e.exitCode;
      warn((e as Error).message);
      if (env().LLM_ROUTER_DEBUG) writeErr(`${(e as Error).stack}\n`);
      return 1;
    }
    return 0;
  });
  return result || exitCode;
}

if (require.main === module) {
  // Also what writes to process.stderr directly (a command not yet on the run's streams) never shows the key.
  redactStderr(() => [process.env.ANTHROPIC_API_KEY ?? ''].filter((k) => k.trim()));
  void main(process.argv.slice(2)).then((code) => {
    if (code) process.exitCode = code;
  });
}
