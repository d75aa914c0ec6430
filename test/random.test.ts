import test from 'ava';
import { Generator, manualSeed, defaultGenerator } from '../src/random';

test('the same seed gives the same sequence; different seeds differ', (t) => {
  const a = new Generator(42);
  const b = new Generator(42);
  const c = new Generator(43);
  const sa = Array.from({ length: 100 }, () => a.random());
  const sb = Array.from({ length: 100 }, () => b.random());
  const sc = Array.from({ length: 100 }, () => c.random());
  t.deepEqual(sa, sb);
  t.notDeepEqual(sa, sc);
  manualSeed(7);
  const first = defaultGenerator.random();
  manualSeed(7);
  t.is(defaultGenerator.random(), first);
});

test('uniform draws lie in [0, 1) with mean 1/2 and variance 1/12', (t) => {
  const g = new Generator(1);
  const n = 200000;
  let sum = 0;
  let sq = 0;
  let outside = 0;
  for (let i = 0; i < n; i++) {
    const u = g.random();
    if (!(u >= 0 && u < 1)) outside++;
    sum += u;
    sq += u * u;
  }
  t.is(outside, 0);
  const mean = sum / n;
  t.true(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
  t.true(Math.abs(sq / n - mean * mean - 1 / 12) < 0.002);
});

test('normal draws have the requested mean and standard deviation', (t) => {
  const g = new Generator(2);
  const n = 200000;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const z = g.normal(3, 2);
    sum += z;
    sq += z * z;
  }
  const mean = sum / n;
  const std = Math.sqrt(sq / n - mean * mean);
  t.true(Math.abs(mean - 3) < 0.03, `mean ${mean}`);
  t.true(Math.abs(std - 2) < 0.03, `std ${std}`);
});

test('int is unbiased over its range and permutation is a permutation', (t) => {
  const g = new Generator(3);
  const counts = new Array(7).fill(0);
  for (let i = 0; i < 70000; i++) counts[g.int(7)]++;
  for (const c of counts) t.true(Math.abs(c - 10000) < 500, `count ${c}`);
  const p = g.permutation(1000);
  t.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
  t.notDeepEqual(Array.from(p), Array.from({ length: 1000 }, (_, i) => i));
});

test('bad seeds and ranges throw RangeError', (t) => {
  t.throws(() => new Generator(1.5), { instanceOf: RangeError });
  t.throws(() => new Generator(NaN), { instanceOf: RangeError });
  t.throws(() => new Generator(0).int(0), { instanceOf: RangeError });
});
