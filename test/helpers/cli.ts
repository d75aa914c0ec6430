/** Runs the command line in-process with its output captured (use from test.serial tests: console is swapped). */
import type { ExecutionContext } from 'ava';
import * as fs from 'node:fs';
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

/**
 * Runs `command` once per case of bad arguments (each with `--out never`)
 * and asserts what every bad input must give: exit code 2, one line on
 * stderr starting "error: <command>: ", and no output folder.
 */
export async function expectUsageErrors(t: ExecutionContext, commands: readonly Command[], command: string,
                                        cases: readonly (readonly string[])[], never: string): Promise<void> {
  for (const args of cases) {
    const r = await runCli(commands, [command, ...args, '--out', never]);
    const what = args.join(' ');
    t.is(r.code, 2, what);
    t.is(r.err.trim().split('\n').length, 1, `${what}: ${r.err}`);
    t.true(r.err.startsWith(`error: ${command}: `), `${what}: ${r.err}`);
    t.false(fs.existsSync(never), `${what} created ${never}`);
  }
}
