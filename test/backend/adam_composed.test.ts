import test from 'ava';
import { tsBackend } from '../../src/backend/ts';

const adamStep = tsBackend.adamStep;

test('adamStep (ts: the composed kernels): two steps by hand (PyTorch\'s form), float64', (t) => {
  const p = Float64Array.of(1, -2), m = new Float64Array(2), v = new Float64Array(2);
  const [lr, b1, b2, eps] = [0.1, 0.9, 0.99, 1e-8];
  const grads = [[0.5, -1], [0.25, 2]];
  const expected = Array.from(p), em = [0, 0], ev = [0, 0];
  grads.forEach((g, k) => {
    const step = k + 1;
    for (let i = 0; i < 2; i++) {
      em[i] = b1 * em[i] + (1 - b1) * g[i];
      ev[i] = b2 * ev[i] + (1 - b2) * g[i] ** 2;
      expected[i] -= (lr / (1 - b1 ** step)) * em[i] / (Math.sqrt(ev[i]) / Math.sqrt(1 - b2 ** step) + eps);
    }
    adamStep(step, lr, b1, b2, eps, p, Float64Array.from(g), m, v);
  });
  const close = (a: ArrayLike<number>, b: number[]) => b.every((x, i) => Math.abs(a[i] - x) <= 1e-15 * Math.max(1, Math.abs(x)));
  t.true(close(p, expected), `p ${Array.from(p)} vs ${expected}`);
  t.true(close(m, em), `m ${Array.from(m)} vs ${em}`);
  t.true(close(v, ev), `v ${Array.from(v)} vs ${ev}`);
  // The first step moves every parameter by lr (up to eps) against its gradient's sign.
  const q = Float64Array.of(0, 0);
  adamStep(1, 0.1, 0.9, 0.999, 0, q, Float64Array.of(3, -1e-3), new Float64Array(2), new Float64Array(2));
  t.true(Math.abs(q[0] + 0.1) < 1e-15 && Math.abs(q[1] - 0.1) < 1e-15);
});

test('adamStep: bad scalars, lengths, dtypes and aliased arrays are refused naming the argument', (t) => {
  const a = () => new Float32Array(3);
  t.throws(() => adamStep(0, 0.1, 0.9, 0.999, 1e-8, a(), a(), a(), a()), { instanceOf: RangeError, message: /adamStep: step/ });
  t.throws(() => adamStep(1, NaN, 0.9, 0.999, 1e-8, a(), a(), a(), a()), { instanceOf: RangeError, message: /lr/ });
  t.throws(() => adamStep(1, 0.1, 1, 0.999, 1e-8, a(), a(), a(), a()), { instanceOf: RangeError, message: /beta1 must be in \[0, 1\)/ });
  t.throws(() => adamStep(1, 0.1, 0.9, 0.999, -1, a(), a(), a(), a()), { instanceOf: RangeError, message: /eps/ });
  t.throws(() => adamStep(1, 0.1, 0.9, 0.999, 1e-8, a(), new Float32Array(2), a(), a()), { instanceOf: RangeError, message: /g has 2/ });
    const p = a();
  t.throws(() => adamStep(1, 0.1, 0.9, 0.999, 1e-8, p, a(), p, a()), { instanceOf: RangeError, message: /p and m overlap/ });
});
