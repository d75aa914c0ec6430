/** Runs the command line in-process with its output captured (use from test.serial tests: console is swapped). */
import type { Command } from '../../src/cli/command';
import { main } from '../../src/cli/main';

export interface CliRun { code: number; out: string; err: string }

export async function runCli(commands: readonly Command[], argv: string[]): Promise<CliRun> {
  const log = console.log;
  const error = console.error;
  const progress = process.env.GRADNODE_PROGRESS;
  let out = '';
  let err = '';
  console.log = (...a: unknown[]) => { out += `${a.join(' ')}\n`; };
  console.error = (...a: unknown[]) => { err += `${a.join(' ')}\n`; };
  process.env.GRADNODE_PROGRESS = '0';
  try {
    return { code: await main(commands, argv), out, err };
  } finally {
    console.log = log;
    console.error = error;
    if (progress === undefined) delete process.env.GRADNODE_PROGRESS;
    else process.env.GRADNODE_PROGRESS = progress;
  }
}
