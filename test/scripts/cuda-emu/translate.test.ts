import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { translate } = require('../../../scripts/cuda-emu/translate.js') as { translate: (s: string, f: string) => string };
const script = path.resolve(__dirname, '..', '..', '..', 'scripts', 'cuda-emu', 'translate.js');

test('a launch becomes gnemu::launch with the kernel name, its configuration, its address and its arguments', (t) => {
  t.is(translate('  k<<<g, b>>>(n, x);', 'f.cu'), '  ::gnemu::launch("k", ::gnemu::LaunchConfig(g, b), &k, n, x);');
  t.is(translate('f<T, Op><<<gridFor(n), 256>>>(a);', 'f.cu'),
    '::gnemu::launch("f<T, Op>", ::gnemu::LaunchConfig(gridFor(n), 256), &f<T, Op>, a);');
  t.is(translate('ns::k<<<1, 1>>>();', 'f.cu'), '::gnemu::launch("ns::k", ::gnemu::LaunchConfig(1, 1), &ns::k);');
});

test('configurations with casts and calls, nested template arguments and arguments over several lines keep the line count', (t) => {
  const source = [
    'reduce<T, Op, A, T><<<static_cast<unsigned>(m < k ? m : k),',
    '    rowThreads(n)>>>(m, f(a, b),',
    '    x.as<double>());',
    'col<T, K, F><<<dim3(p(o, i), 1), block>>>(o);',
  ].join('\n');
  const out = translate(source, 'f.cu');
  t.is(out.split('\n').length, source.split('\n').length);
  t.true(out.startsWith('::gnemu::launch("reduce<T, Op, A, T>", ::gnemu::LaunchConfig(static_cast<unsigned>(m < k ? m : k),\n    rowThreads(n)), &reduce<T, Op, A, T>, m, f(a, b),\n    x.as<double>());'), out);
  t.true(out.endsWith('::gnemu::launch("col<T, K, F>", ::gnemu::LaunchConfig(dim3(p(o, i), 1), block), &col<T, K, F>, o);'), out);
});

test('<<< in a line comment and code without launches are left alone', (t) => {
  const source = '// k<<<grid, block>>>(args) in a comment\nint a = b << 2;\n';
  t.is(translate(source, 'f.cu'), source);
});

test('malformed launches are errors naming the file', (t) => {
  t.throws(() => translate('k<<<1, 1(x);', 'bad.cu'), { message: /bad\.cu: <<< without >>>/ });
  t.throws(() => translate('k<<<1, 1>>>;', 'bad.cu'), { message: /bad\.cu: no argument list after the launch of k/ });
  t.throws(() => translate('k<<<1, 1>>>(x;', 'bad.cu'), { message: /bad\.cu: unbalanced arguments/ });
});

test('the command writes OUT with a #line directive naming the source, and refuses wrong usage with exit 2', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-translate-'));
  const input = path.join(dir, 'k.cu');
  fs.writeFileSync(input, 'k<<<1, 2>>>(x);\n');
  const output = path.join(dir, 'out', 'k.cu.cc');
  const ok = spawnSync(process.execPath, [script, input, output, 'native/cuda/k.cu'], { encoding: 'utf8' });
  t.is(ok.status, 0, ok.stderr);
  t.is(fs.readFileSync(output, 'utf8'), '#line 1 "native/cuda/k.cu"\n::gnemu::launch("k", ::gnemu::LaunchConfig(1, 2), &k, x);\n');
  t.deepEqual(fs.readdirSync(path.join(dir, 'out')), ['k.cu.cc']);
  const bad = spawnSync(process.execPath, [script, input], { encoding: 'utf8' });
  t.is(bad.status, 2);
  t.regex(bad.stderr, /^usage: translate\.js IN OUT \[NAME\]/);
});
