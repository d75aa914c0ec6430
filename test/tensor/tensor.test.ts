import test from 'ava';
import { backend } from '../../src/backend';
import { backendsUnderTest } from '../helpers/backends';
import { DTypeError, ShapeError } from '../../src/errors';
import { Generator } from '../../src/random';
import { Tensor } from '../../src/tensor';

// Every Tensor test runs on every backend present (ts always, cpu when built).
for (const name of backendsUnderTest()) {
  const b = backend(name);
  const from = (v: Parameters<typeof Tensor.from>[0], dtype: 'float32' | 'float64' = 'float64') => Tensor.from(v, { dtype, backend: b });

  test(`[${name}] creation from nested arrays, flat arrays with a shape, scalars`, (t) => {
    const a = from([[1, 2, 3], [4, 5, 6]]);
    t.deepEqual(a.shape, [2, 3]);
    t.is(a.dtype, 'float64');
    t.deepEqual(a.toArray(), [[1, 2, 3], [4, 5, 6]]);
    t.deepEqual(Tensor.from([1, 2, 3, 4, 5, 6], { shape: [3, -1], backend: b }).toArray(), [[1, 2], [3, 4], [5, 6]]);
    t.is(from(7).item(), 7);
    t.deepEqual(from(7).shape, []);
    t.deepEqual(Tensor.zeros([2, 0], { backend: b }).shape, [2, 0]);
    t.deepEqual(Tensor.eye(2, { backend: b }).toArray(), [[1, 0], [0, 1]]);
    t.deepEqual(Tensor.arange(0, 1, 0.25, { backend: b }).toArray(), [0, 0.25, 0.5, 0.75]);
    t.deepEqual(Tensor.full([2], 3.5, { backend: b }).toArray(), [3.5, 3.5]);
    t.throws(() => from([[1, 2], [3]]), { instanceOf: ShapeError });
    t.throws(() => Tensor.zeros([2, -1]), { instanceOf: ShapeError });
    t.throws(() => Tensor.zeros([2], { dtype: 'int8' as never }), { instanceOf: DTypeError });
  });

  test(`[${name}] seeded rand and randn give the same numbers on every backend`, (t) => {
    const u = Tensor.rand([3, 4], { generator: new Generator(5), backend: b, low: -2, high: 2 });
    const uTs = Tensor.rand([3, 4], { generator: new Generator(5), backend: 'ts', low: -2, high: 2 });
    t.deepEqual(Array.from(u.data), Array.from(uTs.data));
    t.true(Array.from(u.data).every((v) => v >= -2 && v < 2));
    const z = Tensor.randn([1000], { generator: new Generator(6), backend: b, dtype: 'float64' });
    const zTs = Tensor.randn([1000], { generator: new Generator(6), backend: 'ts', dtype: 'float64' });
    t.deepEqual(Array.from(z.data), Array.from(zTs.data));
    t.true(Math.abs(z.mean().item()) < 0.15);
  });

  test(`[${name}] reshape is a view; permute and transpose copy`, (t) => {
    const a = from([[1, 2, 3], [4, 5, 6]]);
    const r = a.reshape(3, 2);
    t.is(r.data, a.data);
    t.deepEqual(a.reshape([-1]).toArray(), [1, 2, 3, 4, 5, 6]);
    t.deepEqual(a.T.toArray(), [[1, 4], [2, 5], [3, 6]]);
    const c = Tensor.arange(24, undefined, 1, { backend: b, dtype: 'float64' }).reshape(2, 3, 4);
    const p = c.permute(2, 0, 1);
    t.deepEqual(p.shape, [4, 2, 3]);
    t.is((p.toArray() as number[][][])[3][1][2], c.data[1 * 12 + 2 * 4 + 3]);
    t.deepEqual(c.transpose(0, 2).shape, [4, 3, 2]);
    t.throws(() => a.reshape(4, 2), { instanceOf: ShapeError });
    t.throws(() => c.permute(0, 0, 1), { instanceOf: ShapeError });
  });

  test(`[${name}] row slices share data; slices along other axes, concat, broadcastTo`, (t) => {
    const a = from([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    const rows = a.sliceRows(1, 3);
    t.deepEqual(rows.toArray(), [[4, 5, 6], [7, 8, 9]]);
    rows.data[0] = 40;
    t.is(a.data[3], 40);
    t.deepEqual(a.slice(1, 1, 3).toArray(), [[2, 3], [5, 6], [8, 9]]);
    t.deepEqual(a.slice(-1, 0, 1).toArray(), [[1], [40], [7]]);
    const left = from([[1], [2]]);
    const right = from([[3, 4], [5, 6]]);
    t.deepEqual(Tensor.concat([left, right], 1).toArray(), [[1, 3, 4], [2, 5, 6]]);
    t.deepEqual(Tensor.concat([left, from([[9]])], 0).toArray(), [[1], [2], [9]]);
    t.throws(() => Tensor.concat([left, from([[1, 2, 3]])], 1), { instanceOf: ShapeError });
    t.deepEqual(from([1, 2]).broadcastTo([2, 2]).toArray(), [[1, 2], [1, 2]]);
    t.throws(() => a.sliceRows(2, 5), { instanceOf: RangeError });
  });

  test(`[${name}] take picks flat indices (numpy.take) into a shape, float32 and float64`, (t) => {
    for (const dtype of ['float32', 'float64'] as const) {
      const a = from([[1, 2, 3], [4, 5, 6]], dtype);
      const picked = a.take(Int32Array.from([5, 0, 0, 3]));
      t.deepEqual(picked.shape, [4]);
      t.is(picked.dtype, dtype);
      t.is(picked.backend, b);
      t.deepEqual(picked.toArray(), [6, 1, 1, 4]);
      t.deepEqual(a.take(Int32Array.from([5, 4, 3, 2, 1, 0]), [3, 2]).toArray(), [[6, 5], [4, 3], [2, 1]]);
      t.deepEqual(a.take(Int32Array.from([4]), []).toArray(), 5);
      t.deepEqual(a.take(new Int32Array(0)).shape, [0]);
      t.deepEqual(a.take(new Int32Array(0), [2, 0]).shape, [2, 0]);
      t.deepEqual(from(7, dtype).take(Int32Array.from([0, 0])).toArray(), [7, 7]);
    }
  });

  test(`[${name}] take errors: a shape of the wrong size, out-of-range indices, a non-Int32Array index`, (t) => {
    const a = from([[1, 2, 3], [4, 5, 6]]);
    t.throws(() => a.take(Int32Array.from([0, 1, 2]), [2, 2]),
      { instanceOf: ShapeError, message: 'take: shape [2, 2] has 4 elements but index has 3' });
    t.throws(() => a.take(Int32Array.from([0]), [2, -1]), { instanceOf: ShapeError, message: /take shape/ });
    t.throws(() => a.take(Int32Array.from([0, 6])),
      { instanceOf: RangeError, message: 'gather: index[1] = 6 is outside [0, 6) (src has 6 elements)' });
    t.throws(() => a.take(Int32Array.from([-1])), { instanceOf: RangeError, message: /^gather: index\[0\] = -1 is outside/ });
    t.throws(() => from([]).take(Int32Array.from([0])), { instanceOf: RangeError, message: /^gather: index\[0\] = 0 .* 0 elements/ });
    t.throws(() => a.take([0, 1] as never), { instanceOf: TypeError, message: 'take: index must be an Int32Array, got Array' });
    t.throws(() => a.take(Float64Array.from([0]) as never), { instanceOf: TypeError, message: /got Float64Array/ });
    for (const msg of [() => a.take(Int32Array.from([9])), () => a.take(Int32Array.from([0]), [3])]) {
      const err = t.throws(msg);
      t.false(err!.message.includes('\n'), 'one-line message');
    }
  });

  test(`[${name}] matmul: matrices, vectors, batches and transposed operands`, (t) => {
    const a = from([[1, 2], [3, 4], [5, 6]]);
    const m = from([[1, 0, -1], [2, 1, 0]]);
    t.deepEqual(a.matmul(m).toArray(), [[5, 2, -1], [11, 4, -3], [17, 6, -5]]);
    t.deepEqual(a.matmul(from([1, 1])).toArray(), [3, 7, 11]);
    t.deepEqual(from([1, 1, 1]).matmul(a).toArray(), [9, 12]);
    t.deepEqual(a.matmul(a, { transposeA: true }).toArray(), [[35, 44], [44, 56]]);
    t.deepEqual(a.matmul(a, { transposeB: true }).toArray(), a.matmul(a.T).toArray());
    const batch = Tensor.arange(12, undefined, 1, { backend: b, dtype: 'float64' }).reshape(3, 2, 2);
    const prod = batch.matmul(from([[1, 0], [0, 2]]));
    t.deepEqual(prod.shape, [3, 2, 2]);
    t.deepEqual((prod.toArray() as number[][][])[2], [[8, 18], [10, 22]]);
    t.throws(() => a.matmul(a), { instanceOf: ShapeError });
    const f32 = Tensor.from([[1, 2]], { dtype: 'float32', backend: b });
    t.is(f32.matmul(from([[1], [1]])).dtype, 'float64', 'mixed dtypes promote to float64');
  });

  test(`[${name}] broadcasting elementwise ops, scalars and in-place updates`, (t) => {
    const a = from([[1, 2, 3], [4, 5, 6]]);
    t.deepEqual(a.add(from([10, 20, 30])).toArray(), [[11, 22, 33], [14, 25, 36]]);
    t.deepEqual(a.mul(from([[2], [3]])).toArray(), [[2, 4, 6], [12, 15, 18]]);
    t.deepEqual(a.sub(1).toArray(), [[0, 1, 2], [3, 4, 5]]);
    t.deepEqual(a.div(2).toArray(), [[0.5, 1, 1.5], [2, 2.5, 3]]);
    t.deepEqual(a.pow(2).toArray(), [[1, 4, 9], [16, 25, 36]]);
    t.deepEqual(a.maximum(3.5).toArray(), [[3.5, 3.5, 3.5], [4, 5, 6]]);
    t.deepEqual(from([-1, 0, 2]).relu().toArray(), [0, 0, 2]);
    t.deepEqual(from([-1, 0, 2]).abs().neg().toArray(), [-1, -0, -2]);
    t.throws(() => a.add(from([1, 2])), { instanceOf: ShapeError });
    const c = a.clone();
    c.add_(from([1, 1, 1])).mul_(2);
    t.deepEqual(c.toArray(), [[4, 6, 8], [10, 12, 14]]);
    c.addScaled_(a, -2);
    t.deepEqual(c.toArray(), [[2, 2, 2], [2, 2, 2]]);
    t.deepEqual(a.toArray(), [[1, 2, 3], [4, 5, 6]], 'clone is a copy');
    t.deepEqual(from([0]).exp().toArray(), [1]);
    t.true(Math.abs(from([1]).tanh().item() - Math.tanh(1)) < 1e-12);
  });

  test(`[${name}] reductions and argmax`, (t) => {
    const a = from([[1, 5, 3], [4, 2, 6]]);
    t.is(a.sum().item(), 21);
    t.deepEqual(a.sum(0).toArray(), [5, 7, 9]);
    t.deepEqual(a.sum(1, true).toArray(), [[9], [12]]);
    t.deepEqual(a.max(1).toArray(), [5, 6]);
    t.deepEqual(a.min(0).toArray(), [1, 2, 3]);
    t.is(a.mean().item(), 3.5);
    t.deepEqual(a.mean(0).toArray(), [2.5, 3.5, 4.5]);
    t.deepEqual(Array.from(a.argmax(1)), [1, 2]);
    t.deepEqual(Array.from(a.argmax(0)), [1, 0, 1]);
    t.is(a.argmax(), 5);
    t.throws(() => a.sum(2), { instanceOf: RangeError });
  });

  test(`[${name}] toString prints like PyTorch`, (t) => {
    t.is(from([[1, 2], [3, 4.5]]).toString(), 'tensor([[1., 2.],\n        [3., 4.500]], dtype=float64, backend=' + name + ')');
  });
}

test('operands on different backends are refused with a clear message', (t) => {
  const others = backendsUnderTest().filter((n) => n !== 'ts');
  if (others.length === 0) {
    t.log('skipped: only the ts backend is present here');
    t.pass();
    return;
  }
  const a = Tensor.ones([2], { backend: 'ts' });
  const c = Tensor.ones([2], { backend: others[0] });
  t.throws(() => a.add(c), { message: /different backends/ });
  t.deepEqual(a.to(others[0]).add(c).toArray(), [2, 2]);
});
