import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { handcrafted } from '../../../src/experiments/handcrafted';
import { expectUsageErrors, runCli } from '../../helpers/cli';

const commands = [handcrafted];

function tmpOut(tag: string): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), `gradnode-hc-${tag}-`)), 'run');
}

function readCsv(file: string): Record<string, number>[] {
  const [head, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const header = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], Number(v)])));
}

const soft = (x: number, s: number) => Math.max(Math.abs(x) - s, 0) * Math.sign(x);
const tent = (x: number) => (x < 0 || x > 1 ? 0 : x <= 0.5 ? 2 * x : 2 - 2 * x);

test.serial('handcrafted: default run — exact XNOR, tent and soft threshold on a dense grid with the kinks; weights and files', async (t) => {
  const out = tmpOut('default');
  const run = await runCli(commands, ['handcrafted', '--out', out]);
  t.is(run.code, 0, run.err);
  for (const f of ['metrics.json', 'xnor.csv', 'grid.csv', 'xnor.svg', 'tent.svg', 'soft-threshold.svg']) t.true(fs.existsSync(path.join(out, f)), f);
  t.true(fs.readFileSync(path.join(out, 'tent.svg'), 'utf8').startsWith('<svg'));
  const m = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
  t.is(m.errors.xnor, 0, 'XNOR is exact');
  t.true(m.errors.tent <= 1e-12, `tent ${m.errors.tent}`);
  t.true(m.errors.softThreshold <= 1e-12, `soft threshold ${m.errors.softThreshold}`);
  t.is(m.gridPoints, 100001, '10⁵ + 1 points: the kinks 0, ½, 1, ±1 are grid points already');
  for (const k of ['0', '0.5', '1', '-1']) {
    t.is(m.errors.atKinks.tent[k], 0, `tent at ${k}`);
    t.is(m.errors.atKinks['soft-threshold'][k], 0, `soft threshold at ${k}`);
  }
  t.deepEqual(m.weights.xnor, [{ weight: [[1, 1], [-1, -1]], bias: [-1, 1] }, { weight: [[1, 1]], bias: [0] }]);
  t.deepEqual(m.weights.tent, [{ weight: [[1], [1], [1]], bias: [0, -0.5, -1] }, { weight: [[2, -4, 2]], bias: [0] }]);
  t.deepEqual(m.weights['soft-threshold'], [{ weight: [[1], [-1]], bias: [-1, -1] }, { weight: [[1, -1]], bias: [0] }]);
  t.regex(run.out, /layer 1 \(1→3, ReLU\)\s+1\s+\[1\]\s+0/);
  t.regex(run.out, /layer 2 \(3→1\)\s+1\s+\[2, -4, 2\]\s+0/);

  const xnor = readCsv(path.join(out, 'xnor.csv'));
  t.deepEqual(xnor.map((r) => [r.x1, r.x2, r.target, r.network]), [[0, 0, 1, 1], [0, 1, 0, 0], [1, 0, 0, 0], [1, 1, 1, 1]]);
  const grid = readCsv(path.join(out, 'grid.csv'));
  t.true(grid.length >= 1000 && grid.length <= 1010, `${grid.length} rows`);
  t.is(grid[0].x, -2);
  t.is(grid[grid.length - 1].x, 3);
  for (const k of [0, 0.5, 1, -1]) t.true(grid.some((r) => r.x === k), `kink ${k} in grid.csv`);
  for (const r of grid) {
    t.true(Math.abs(r.tentNetwork - tent(r.x)) <= 1e-12, `tent at ${r.x}`);
    t.true(Math.abs(r.softThresholdNetwork - soft(r.x, 1)) <= 1e-12, `soft at ${r.x}`);
    t.is(r.tent, tent(r.x));
  }
  const at = (x: number) => grid.find((r) => r.x === x)!;
  t.is(at(0.5).tentNetwork, 1);
  t.is(at(1).tentNetwork, 0);
  t.is(at(-1).softThresholdNetwork, 0);
  t.is(at(3).softThresholdNetwork, 2);
  t.is(at(-2).softThresholdNetwork, -1);
});

test.serial('handcrafted: --s changes the soft threshold (biases −s, zero band [−s, s]); s = 0 is the identity', async (t) => {
  const out = tmpOut('s');
  t.is((await runCli(commands, ['handcrafted', '--out', out, '--s', '0.3', '--points', '501'])).code, 0);
  const m = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
  t.deepEqual(m.weights['soft-threshold'][0].bias, [-0.3, -0.3]);
  t.true(m.errors.softThreshold <= 1e-12);
  t.is(m.gridPoints, 503, '±0.3 added to the 501 grid points');
  const grid = readCsv(path.join(out, 'grid.csv'));
  for (const k of [0.3, -0.3]) t.is(grid.find((r) => r.x === k)?.softThresholdNetwork, 0, `f(${k}) = 0`);
  for (const r of grid) t.true(Math.abs(r.softThresholdNetwork - soft(r.x, 0.3)) <= 1e-12, `x=${r.x}`);
  const x = grid.find((r) => r.x === 0.5)!;
  t.true(Math.abs(x.softThresholdNetwork - 0.2) <= 1e-15, 'f(0.5) = 0.2 with s = 0.3 (it is 0 with s = 1)');

  const id = tmpOut('s0');
  t.is((await runCli(commands, ['handcrafted', '--out', id, '--s', '0', '--points', '101'])).code, 0);
  for (const r of readCsv(path.join(id, 'grid.csv'))) t.is(r.softThresholdNetwork, r.x, `identity at ${r.x}`);

  const wide = tmpOut('s5');
  t.is((await runCli(commands, ['handcrafted', '--out', wide, '--s', '5', '--points', '101'])).code, 0);
  for (const r of readCsv(path.join(wide, 'grid.csv'))) t.is(r.softThresholdNetwork, 0, 's = 5 zeroes all of [−2, 3]');
});

test.serial('handcrafted: bad flags exit 2 with one line and write nothing', async (t) => {
  const never = path.join(os.tmpdir(), 'gradnode-hc-never');
  await expectUsageErrors(t, commands, 'handcrafted', [['--s', '-1'], ['--s', 'abc'], ['--s', '2e6'], ['--s', 'NaN'], ['--points', '1'],
    ['--points', '2.5'], ['--points', '1e8'], ['--points', 'many'], ['--seed', 'x'], ['--bogus']], never);
  const help = await runCli(commands, ['handcrafted', '--help']);
  t.is(help.code, 0);
  t.regex(help.out, /--s <number>/);
  t.regex(help.out, /hinge/);
});
