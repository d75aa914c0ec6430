import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { jacobianCommand } from '../../../src/experiments/jacobian';
import { expectUsageErrors, runCli } from '../../helpers/cli';

const commands = [jacobianCommand];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-jacobian-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

test.serial('jacobian: the four methods agree with the chain rule, and the multiply counts are written', async (t) => {
  const out = path.join(tmp, 'check');
  const r = await runCli(commands, ['jacobian', '--trials', '3', '--out', out]);
  t.is(r.code, 0, r.err);
  const m = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
  for (const method of ['forward', 'forward-batched', 'reverse', 'reverse-batched']) {
    t.true(m.check.maxRelativeError[method].vsHand <= 1e-12, `${method}: ${m.check.maxRelativeError[method].vsHand}`);
    t.true(m.check.maxRelativeError[method].vsFiniteDifferences <= 1e-7, method);
  }
  t.is(m.series.check.length, 12);
  t.deepEqual(m.series.multiplies.map((c: { layers: number }) => c.layers), [3, 5, 10]);
  t.is(m.series.multiplies[0].forward, 4200);
  t.is(m.series.multiplies[0].reverse, 18600);
  t.true(fs.existsSync(path.join(out, 'multiplies.csv')));
  t.false(fs.existsSync(path.join(out, 'times.svg')), 'no timings without --bench');
});

test.serial('jacobian --bench: every method timed per L on the chosen backend, with the verdict and a plot', async (t) => {
  const out = path.join(tmp, 'bench');
  const r = await runCli(commands, ['jacobian', '--bench', '--trials', '1', '--rounds', '2', '--sample-ms', '1', '--layers', '3,4', '--backend', 'ts', '--out', out]);
  t.is(r.code, 0, r.err);
  const m = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
  t.is(m.bench.rows.length, 8);
  for (const row of m.bench.rows) {
    t.is(row.backend, 'ts');
    t.true(row.minMicros > 0 && row.minMicros <= row.medianMicros, JSON.stringify(row));
  }
  t.is(m.verdict.length, 2);
  t.regex(m.verdict[0], /^L=3: the chain costs 4200 \(forward\) vs 18600 \(reverse\) multiplies, so forward mode should win .* (agrees|disagrees)\.$/);
  t.true(fs.readFileSync(path.join(out, 'times.svg'), 'utf8').startsWith('<svg'));
  t.true(fs.existsSync(path.join(out, 'bench.csv')));
});

test.serial('jacobian: bad flags exit 2 with one line and create no output folder', async (t) => {
  const cases = [
    ['--layers', '0'], ['--layers', '3,x'], ['--layers', ''], ['--layers', '101'], ['--layers', '2.5'], ['--trials', '0'],
    ['--rounds', '0'], ['--sample-ms', '0'], ['--fd-step', '0'], ['--fd-step', '-1'], ['--dtype', 'float16'], ['--backend', 'gpu'], ['--bench=yes'],
  ];
  await expectUsageErrors(t, commands, 'jacobian', cases, path.join(tmp, 'never'));
});
