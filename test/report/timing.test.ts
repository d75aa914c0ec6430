import test from 'ava';
import { interleave, median, min, timeCalls } from '../../src/report/timing';

test('median and min', (t) => {
  t.is(median([3, 1, 2]), 2);
  t.is(median([4, 1, 3, 2]), 2.5);
  t.true(Number.isNaN(median([])));
  t.is(min([3, -1, 2]), -1);
});

test('timeCalls fills its budget and returns seconds per call', (t) => {
  let calls = 0;
  const perCall = timeCalls(() => {
    calls++;
    const end = process.hrtime.bigint() + 200_000n; // 0.2 ms of busy work
    while (process.hrtime.bigint() < end);
  }, 0.02);
  t.true(calls >= 50, `${calls} calls`);
  t.true(perCall >= 1.9e-4 && perCall < 2e-3, `${perCall} s per call`);
});

test('interleave runs the contenders in turn, round after round', (t) => {
  const order: string[] = [];
  const rounds: number[] = [];
  const samples = interleave({ a: () => (order.push('a'), 1), b: () => (order.push('b'), 2) }, 3, (r) => rounds.push(r));
  t.deepEqual(order, ['a', 'b', 'a', 'b', 'a', 'b']);
  t.deepEqual(samples, { a: [1, 1, 1], b: [2, 2, 2] });
  t.deepEqual(rounds, [1, 2, 3]);
});
