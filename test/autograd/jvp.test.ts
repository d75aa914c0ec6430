/** Forward mode: Jacobians from jvp equal those from reverse mode; jvp matches finite differences; missing rules are clear errors. */
import test from 'ava';
import { grad, jvp, noGrad } from '../../src/autograd';
import { backendsUnderTest } from '../helpers/backends';
import * as F from '../../src/nn/functional';
import { Tensor } from '../../src/tensor';
import { maxAbsDiff, rnd, seeded, type On } from './helpers';

/** Unit vector e_i of length n. */
function basis(n: number, i: number, on: On): Tensor {
  const e = Tensor.zeros([n], { dtype: 'float64', backend: on });
  e.data[i] = 1;
  return e;
}

/** P×D Jacobian of f at x by forward mode: one jvp per input basis vector (column by column). */
function jacobianForward(f: (x: Tensor) => Tensor, x: Tensor, on: On): number[][] {
  const d = x.size;
  let cols: Float64Array[] = [];
  for (let i = 0; i < d; i++) {
    const [, tangent] = jvp(f, [x], [basis(d, i, on).reshape(x.shape)]);
    cols.push(Float64Array.from(tangent.data));
  }
  const p = cols[0].length;
  const jac = Array.from({ length: p }, (_, r) => cols.map((c) => c[r]));
  cols = [];
  return jac;
}

/** P×D Jacobian of f at x by reverse mode: one grad call per output (row by row). */
function jacobianReverse(f: (x: Tensor) => Tensor, x: Tensor, on: On): number[][] {
  const leaf = x.detach().requiresGrad_();
  const y = f(leaf);
  const rows: number[][] = [];
  for (let j = 0; j < y.size; j++) {
    const [g] = grad(y, [leaf], basis(y.size, j, on).reshape(y.shape));
    rows.push(Array.from(g.data));
  }
  return rows;
}

function maxJacobianDiff(a: number[][], b: number[][]): number {
  if (a.length !== b.length) return Infinity;
  return Math.max(...a.map((row, i) => maxAbsDiff(row, b[i])));
}

/** Central difference of f at x along v, flattened. */
function directional(f: (x: Tensor) => Tensor, x: Tensor, v: Tensor, h = 1e-6): Float64Array {
  return noGrad(() => {
    const plus = f(x.add(v.reshape(x.shape).scale(h)));
    const minus = f(x.sub(v.reshape(x.shape).scale(h)));
    return Float64Array.from(plus.sub(minus).scale(1 / (2 * h)).data);
  });
}

for (const name of backendsUnderTest()) {
  test(`[${name}] Jacobian of W2 tanh(W1 x + b): forward mode equals reverse mode`, (t) => {
    const gen = seeded(`${name} tanh net`);
    const [D, K, P] = [3, 7, 4];
    const w1 = rnd(gen, [K, D], name);
    const b = rnd(gen, [K], name);
    const w2 = rnd(gen, [P, K], name);
    const f = (x: Tensor) => w2.matmul(w1.matmul(x).add(b).tanh());
    for (let trial = 0; trial < 3; trial++) {
      const x = rnd(gen, [D], name, -2, 2);
      const fwd = jacobianForward(f, x, name);
      const rev = jacobianReverse(f, x, name);
      t.is(fwd.length, P);
      t.is(fwd[0].length, D);
      t.true(maxJacobianDiff(fwd, rev) < 1e-10, `trial ${trial}`);
      // And both equal the closed form W2 diag(1 - tanh²(W1 x + b)) W1.
      const h = w1.matmul(x).add(b).tanh();
      const closed = w2.mul(h.square().neg().add(1)).matmul(w1);
      t.true(maxJacobianDiff(fwd, closed.toArray() as number[][]) < 1e-12);
    }
  });

  test(`[${name}] Jacobian of a deeper tanh net (the jacobian experiment's shape, L=3) in both modes`, (t) => {
    const gen = seeded(`${name} deep tanh`);
    const [D, K, P] = [2, 30, 10];
    const ws = [rnd(gen, [K, D], name), rnd(gen, [K, K], name, -0.3, 0.3), rnd(gen, [K, K], name, -0.3, 0.3)];
    const wf = rnd(gen, [P, K], name);
    const f = (x: Tensor) => wf.matmul(ws.reduce((h, w) => w.matmul(h).tanh(), x));
    const x = rnd(gen, [D], name);
    t.true(maxJacobianDiff(jacobianForward(f, x, name), jacobianReverse(f, x, name)) < 1e-10);
  });

  test(`[${name}] Jacobian of a relu net built with nn.functional.linear (batched row, fused bias+relu)`, (t) => {
    const gen = seeded(`${name} relu net`);
    const [D, K, P] = [4, 6, 3];
    const w1 = rnd(gen, [K, D], name);
    const b1 = rnd(gen, [K], name);
    const w2 = rnd(gen, [P, K], name);
    const b2 = rnd(gen, [P], name);
    const f = (x: Tensor) => F.linear(F.linear(x.reshape(1, D), w1, b1, 'relu'), w2, b2, 'tanh').reshape(P);
    for (let trial = 0; trial < 3; trial++) {
      const x = rnd(gen, [D], name, -2, 2);
      const fwd = jacobianForward(f, x, name);
      const rev = jacobianReverse(f, x, name);
      t.true(maxJacobianDiff(fwd, rev) < 1e-10, `trial ${trial}`);
    }
    // Also the elementwise relu (not fused).
    const g = (x: Tensor) => w2.matmul(w1.matmul(x).add(b1).relu());
    const x = rnd(gen, [D], name, -2, 2);
    t.true(maxJacobianDiff(jacobianForward(g, x, name), jacobianReverse(g, x, name)) < 1e-10);
  });

  const fdCases: [string, (x: Tensor, c: Tensor) => Tensor, number[]][] = [
    ['add (broadcast)', (x, c) => x.add(c.slice(1, 0, 3).sum(0)), [2, 3]],
    ['mul', (x, c) => x.mul(c).mul(x), [2, 3]],
    ['matmul', (x, c) => x.matmul(c, { transposeB: true }).matmul(x), [3, 3]],
    ['matmul with transposeA', (x, c) => x.matmul(c, { transposeA: true }), [3, 3]],
    ['tanh', (x) => x.tanh().scale(2), [2, 3]],
    ['relu', (x, c) => x.sub(c.scale(0.01)).relu(), [2, 3]],
    ['exp', (x) => x.exp(), [2, 3]],
    ['log1p', (x) => x.square().log1p(), [2, 3]],
    ['sum over all, an axis, keepDims', (x) => x.sum(0).mul(x.sum(1, true)).add(x.sum()), [2, 3]],
    ['reshape', (x) => x.reshape(3, 2).matmul(x), [2, 3]],
    ['reshape then reduce along a new axis', (x) => x.reshape(3, 2).sum(1), [6]],
    ['concat along 0 and 1', (x, c) => Tensor.concat([Tensor.concat([x, c], 0), Tensor.concat([c, x], 0)], 1), [2, 3]],
    ['broadcastTo', (x) => x.sum(1, true).broadcastTo([2, 4]), [2, 3]],
    ['slice, permute, sub, div, square, sqrt, log, sigmoid, abs', (x, c) => x.slice(1, 1).permute(1, 0).square().add(1).sqrt().log()
      .sub(x.slice(1, 0, 2).T.sigmoid()).div(c.slice(1, 0, 2).T.abs().add(1)).neg(), [2, 3]],
    ['take with repeated indices into a new shape', (x, c) => x.take(Int32Array.from([5, 0, 5, 3, 3, 1]), [2, 3]).mul(c), [2, 3]],
    ['take of a take, then a nonlinearity', (x) => x.take(Int32Array.from([1, 1, 4, 2])).take(Int32Array.from([3, 0, 0])).tanh(), [2, 3]],
    ['biasActivation tanh with a constant bias', (x, c) => F.biasActivation(x, c.sum(0), 'tanh'), [2, 3]],
  ];
  for (const [title, fn, shape] of fdCases) {
    test(`[${name}] jvp matches central differences: ${title}`, (t) => {
      const gen = seeded(`${name} fd ${title}`);
      const x = rnd(gen, shape, name);
      const c = rnd(gen, shape, name, 0.2, 1);
      const v = rnd(gen, shape, name);
      const f = (y: Tensor) => fn(y, c);
      const [out, tangent] = jvp(f, [x], [v]);
      const expectedOut = noGrad(() => f(x));
      t.deepEqual(out.shape, expectedOut.shape);
      t.deepEqual(tangent.shape, expectedOut.shape, 'the tangent has the output\'s shape');
      t.deepEqual(Array.from(out.data), Array.from(expectedOut.data));
      t.true(maxAbsDiff(tangent.data, directional(f, x, v)) < 1e-7);
    });
  }

  test(`[${name}] Jacobian of take (repeated indices, a new shape): forward mode equals reverse mode and the 0/1 selection`, (t) => {
    const gen = seeded(`${name} take`);
    const index = Int32Array.from([3, 0, 3, 5, 1, 3]);
    const f = (x: Tensor) => x.take(index, [3, 2]);
    const x = rnd(gen, [2, 3], name);
    const fwd = jacobianForward(f, x, name);
    const rev = jacobianReverse(f, x, name);
    const selection = Array.from(index, (i) => Array.from({ length: 6 }, (_, k) => (k === i ? 1 : 0)));
    t.deepEqual(fwd, selection);
    t.deepEqual(rev, selection);
    const [out, tangent] = jvp(f, [x], [x.scale(2)]);
    t.deepEqual(out.shape, [3, 2]);
    t.deepEqual(tangent.shape, [3, 2]);
    t.deepEqual(Array.from(tangent.data), Array.from(index, (i) => 2 * x.data[i]));
  });

  test(`[${name}] jvp of reshape and broadcastTo gives tangents of the output's shape`, (t) => {
    const x = Tensor.from([1, 2, 3, 4, 5, 6], { dtype: 'float64', backend: name });
    const v = Tensor.from([1, 0, 0, 0, 0, 2], { dtype: 'float64', backend: name });
    const [y, dy] = jvp((a) => a.reshape(2, 3), [x], [v]);
    t.deepEqual(y.shape, [2, 3]);
    t.deepEqual(dy.toArray(), [[1, 0, 0], [0, 0, 2]]);
    const [, db] = jvp((a) => a.reshape(1, 6).broadcastTo([2, 6]), [x], [v]);
    t.deepEqual(db.toArray(), [[1, 0, 0, 0, 0, 2], [1, 0, 0, 0, 0, 2]]);
  });

  test(`[${name}] jvp with several inputs sums their contributions; absent dependence gives a zero tangent`, (t) => {
    const gen = seeded(`${name} multi`);
    const a = rnd(gen, [3], name);
    const b = rnd(gen, [3], name);
    const va = rnd(gen, [3], name);
    const vb = rnd(gen, [3], name);
    const [, tangent] = jvp((x, y) => x.mul(y), [a, b], [va, vb]);
    const expected = va.mul(b).add(vb.mul(a));
    t.true(maxAbsDiff(tangent.data, expected.data) < 1e-15);
    const [out, zero] = jvp((x) => Tensor.ones([2], { dtype: 'float64', backend: name }).add(x.sum().scale(0)).detach(), [a], [va]);
    t.deepEqual(Array.from(out.data), [1, 1]);
    t.deepEqual(Array.from(zero.data), [0, 0]);
    t.deepEqual(zero.shape, [2]);
    // The identity function passes the tangent through.
    const [, same] = jvp((x) => x, [a], [va]);
    t.deepEqual(Array.from(same.data), Array.from(va.data));
  });

  test(`[${name}] jvp records nothing for reverse mode and leaves its arguments untouched`, (t) => {
    const x = Tensor.from([1, 2], { dtype: 'float64', backend: name, requiresGrad: true });
    const v = Tensor.from([1, 1], { dtype: 'float64', backend: name });
    const [out, tangent] = jvp((a) => a.square(), [x], [v]);
    t.false(out.requiresGrad);
    t.is(out.gradFn, null);
    t.is(out.tangent, null);
    t.false(tangent.requiresGrad);
    t.is(x.tangent, null);
    t.is(v.tangent, null);
    t.deepEqual(Array.from(tangent.data), [2, 4]);
    // Ordinary ops after jvp carry no tangents.
    t.is(x.add(1).tangent, null);
  });

  test(`[${name}] jvp argument errors`, (t) => {
    const x = Tensor.from([1, 2], { dtype: 'float64', backend: name });
    t.throws(() => jvp((a) => a, [x], []), { instanceOf: RangeError, message: /1 primals but 0 tangents/ });
    t.throws(() => jvp((a) => a, [x], [Tensor.from([1, 2, 3], { dtype: 'float64', backend: name })]), { instanceOf: RangeError, message: /tangent 0/ });
  });

  test(`[${name}] an op without a forward rule gives a clear error naming it`, (t) => {
    const gen = seeded(`${name} no rule`);
    const x = rnd(gen, [2, 4], name);
    const v = rnd(gen, [2, 4], name);
    const gamma = Tensor.ones([4], { dtype: 'float64', backend: name });
    const beta = Tensor.zeros([4], { dtype: 'float64', backend: name });
    t.throws(() => jvp((a) => F.layerNorm(a, gamma, beta), [x], [v]), { message: /Forward mode has no rule for the op "layerNorm"/ });
    t.throws(() => jvp((a) => F.crossEntropy(a, Int32Array.from([0, 1])), [x], [v]), { message: /"logSoftmaxNll"/ });
    t.throws(() => jvp((a) => F.logSoftmax(a), [x], [v]), { message: /"logSoftmax"/ });
    // A constant argument to such an op is fine: only inputs with tangents need a rule.
    const [out] = jvp((a) => a.add(F.layerNorm(x, gamma, beta)), [x], [v]);
    t.deepEqual(out.shape, [2, 4]);
  });

  test(`[${name}] jvp through to(): the tangent follows its primal to the other backend`, (t) => {
    const other = name === 'ts' ? backendsUnderTest().find((n) => n !== 'ts') : 'ts';
    if (!other) {
      t.pass('only one backend here');
      return;
    }
    const x = Tensor.from([1, 2, 3], { dtype: 'float64', backend: name });
    const v = Tensor.from([1, 0, -1], { dtype: 'float64', backend: name });
    const [out, tangent] = jvp((a) => a.to(other).square().to(name).add(a), [x], [v]);
    t.is(out.backend.name, name);
    t.is(tangent.backend.name, name);
    t.deepEqual(Array.from(tangent.data), [3, 0, -7]);
  });
}
