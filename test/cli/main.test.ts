import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { commands } from '../../src/commands';
import { runCli } from '../helpers/cli';

const run = (argv: string[]) => runCli(commands, argv);

test.serial('--help lists every command; each command\'s --help lists its flags with defaults', async (t) => {
  const top = await run(['--help']);
  t.is(top.code, 0);
  for (const c of commands) t.true(top.out.includes(c.name));
  for (const c of commands) {
    const help = await run([c.name, '--help']);
    t.is(help.code, 0);
    for (const f of c.flags) t.true(help.out.includes(`--${f.name}`), `${c.name} --${f.name}`);
  }
});

test.serial('usage errors exit 2 with one line', async (t) => {
  const cases: [string[], RegExp][] = [
    [[], /Usage/],
    [['no-such-command'], /unknown command "no-such-command"/],
    [['dense-res', '--hidden', 'x'], /--hidden expects an integer/],
    [['dense-res', '--bogus'], /unknown flag --bogus/],
    [['dense-res', '--impl', 'magic'], /--impl must be one of manual, autograd/],
    [['dense-res', '--data', '/nonexistent/mnist', '--epochs', '1'], /MNIST.*\/nonexistent\/mnist.*--data/],
    [['dense-res', '--learning-curve', '--max-train', '100'], /--learning-curve needs all 60,000 training images/],
  ];
  for (const [argv, message] of cases) {
    const r = await run(argv);
    t.is(r.code, 2, argv.join(' '));
    const text = r.err || r.out;
    t.regex(text, message, argv.join(' '));
    if (argv.length > 0) t.is(r.err.trim().split('\n').length, 1, `one line for ${argv.join(' ')}: ${r.err}`);
  }
});

test.serial('an existing non-empty --out folder is refused, not overwritten', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-out-'));
  fs.writeFileSync(path.join(dir, 'keep.txt'), 'precious');
  const r = await run(['dense-res', '--epochs', '1', '--max-train', '256', '--max-test', '100', '--out', dir]);
  t.is(r.code, 2);
  t.regex(r.err, /already exists and is not empty/);
  t.deepEqual(fs.readdirSync(dir), ['keep.txt']);
});
