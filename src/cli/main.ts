/**
 * The command line: `run.js <command> [flags]`. Looks the command up, parses
 * its flags, runs it. Usage errors print one line and exit with code 2.
 */
import { DataError } from '../data/errors';
import { BackendUnavailableError, DeviceMemoryError } from '../errors';
import { CheckpointError } from '../io/errors';
import { UsageError, formatFlags, parseFlags } from './flags';
import type { Command } from './command';

export function usage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'Usage: node dist/run.js <command> [flags]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.describe}`),
    '',
    'Run `node dist/run.js <command> --help` for the flags of one command.',
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const parts = [`Usage: node dist/run.js ${command.name} [flags]`, '', command.describe, '', 'Flags:', formatFlags(command.flags)];
  if (command.details) parts.push('', command.details);
  return parts.join('\n');
}

/** Runs the CLI and resolves to the process exit code. */
export async function main(commands: readonly Command[], argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage(commands));
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`error: unknown command "${name}"; expected one of: ${commands.map((c) => c.name).join(', ')}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(commandHelp(command));
    return 0;
  }
  try {
    await command.run(parseFlags(command.flags, rest));
    return 0;
  } catch (err) {
    // Problems with what the user gave us (flags, files, data sets, backends): one line, exit code 2.
    if (err instanceof UsageError || err instanceof DataError || err instanceof CheckpointError || err instanceof BackendUnavailableError
        || err instanceof DeviceMemoryError) {
      console.error(`error: ${command.name}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
