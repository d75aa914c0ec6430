/**
 * Every flag of every command, table-driven from the commands' own FlagSpecs:
 * a value of the wrong type, below `min`, above `max` or outside `choices`
 * exits 2 with one line naming the command, no stack trace, and creates no
 * output folder (for the commands that write one). Free-form string flags (lists, paths) take a wrong value
 * from FREE_FORM by name, booleans an explicit "=yes"; a new free-form flag
 * without an entry fails the first test, so the table stays complete.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FlagSpec } from '../../src/cli/flags';
import { commands } from '../../src/commands';
import { runCli } from '../helpers/cli';

/** A wrong value for each free-form string flag, by name. */
const FREE_FORM: Record<string, string[]> = {
  data: ['/nonexistent/gradnode-data'],
  shape: ['abc', '784'], shapes: ['abc'], sides: ['abc', '28'], models: ['nope'], layers: ['abc', '0'],
  inits: ['nope'], hidden: ['abc', '0'], lr: ['abc', '0'], 'log-dir': ['/dev/null/sub', ''], 'model-name': ['../escape'],
};

function badValues(spec: FlagSpec): string[] {
  const values: string[] = [];
  if (spec.type === 'string' && !spec.choices) values.push(...(FREE_FORM[spec.name] ?? []));
  if (spec.type === 'boolean') values.push('=yes');
  if (spec.type === 'int' || spec.type === 'number') {
    values.push('abc', '1e400x');
    if (spec.type === 'int') values.push('1.5');
    if (spec.min !== undefined) values.push(String(spec.min - 1));
    if (spec.max !== undefined) values.push(String(spec.max + 1));
  }
  if (spec.type === 'string' && spec.choices) values.push('no-such-choice');
  return values;
}

const hasOut = (name: string) => commands.find((c) => c.name === name)!.flags.some((f) => f.name === 'out');
const cases = commands.flatMap((c) =>
  c.flags.filter((f) => f.name !== 'out').flatMap((f) => badValues(f).map((v) => ({ command: c.name, flag: f.name, value: v }))));

test('the table covers every command and every typed flag', (t) => {
  const covered = new Set(cases.map((c) => c.command));
  for (const c of commands.filter((k) => k.flags.some((f) => f.name !== 'out'))) {
    t.true(covered.has(c.name), c.name);
    for (const f of c.flags) {
      if (f.name !== 'out' && f.type === 'string' && !f.choices) t.true(f.name in FREE_FORM, `${c.name} --${f.name} needs a FREE_FORM entry`);
    }
  }
  t.true(cases.length >= 100, `${cases.length} cases`);
  t.log(`${cases.length} cases over ${covered.size} commands`);
});

test.serial('a wrong value of any flag exits 2 with one line and creates no output folder', async (t) => {
  const never = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-flags-')), 'never');
  for (const { command, flag, value } of cases) {
    const args = value.startsWith('=') ? [`--${flag}${value}`] : [`--${flag}`, value];
    const r = await runCli(commands, [command, ...args, ...(hasOut(command) ? ['--out', never] : [])]);
    const what = `${command} --${flag} ${value}`;
    t.is(r.code, 2, `${what}: exit ${r.code}, ${r.err}`);
    t.is(r.err.trim().split('\n').length, 1, `${what}: ${r.err}`);
    t.true(r.err.startsWith(`error: ${command}: `), `${what}: ${r.err}`);
    t.false(/\n\s+at /.test(r.err), `${what}: a stack trace`);
    t.false(fs.existsSync(never), `${what} created ${never}`);
  }
});
