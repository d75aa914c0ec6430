import test from 'ava';
import { grad } from '../../src/autograd';
import { ShapeError } from '../../src/errors';
import { Conv2d, Flatten, MaxPool2d, Sequential } from '../../src/nn';
import { conv2d } from '../../src/nn/conv';
import { Generator } from '../../src/random';
import { Tensor } from '../../src/tensor';
import { backendsUnderTest } from '../helpers/backends';

/** The definition: out[n, o, y, x] = b[o] + Σ_c,ky,kx w[o, c, ky, kx] · in[n, c, y·s − p + ky, x·s − p + kx] (0 outside). */
function directConv(x: Tensor, w: Tensor, b: Tensor, stride: number, pad: number): number[] {
  const [N, C, H, W] = x.shape, [O, , KH, KW] = w.shape;
  const oh = Math.floor((H + 2 * pad - KH) / stride) + 1, ow = Math.floor((W + 2 * pad - KW) / stride) + 1;
  const xs = x.toTypedArray(), ws = w.toTypedArray(), bs = b.toTypedArray();
  const out: number[] = [];
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) for (let y = 0; y < oh; y++) for (let q = 0; q < ow; q++) {
    let s = bs[o];
    for (let c = 0; c < C; c++) for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
      const iy = y * stride - pad + ky, ix = q * stride - pad + kx;
      if (iy >= 0 && iy < H && ix >= 0 && ix < W) s += ws[((o * C + c) * KH + ky) * KW + kx] * xs[((n * C + c) * H + iy) * W + ix];
    }
    out.push(s);
  }
  return out;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return a.length === b.length ? d : Infinity;
};

for (const name of backendsUnderTest()) {
  const opts = { dtype: 'float64' as const, backend: name };
  test(`[${name}] Conv2d equals the direct definition (stride, padding, odd sizes); fused relu equals a separate relu`, (t) => {
    for (const [N, C, H, W, O, k, stride, pad] of [[1, 1, 5, 7, 2, 3, 1, 1], [2, 3, 8, 6, 4, 3, 2, 0], [1, 2, 4, 4, 3, 2, 1, 2]]) {
      const gen = new Generator(N * 100 + H);
      const conv = new Conv2d(C, O, k, { stride, padding: pad, generator: gen, ...opts });
      const x = Tensor.randn([N, C, H, W], { ...opts, generator: gen });
      const y = conv.forward(x);
      t.true(maxDiff(y.toTypedArray(), directConv(x, conv.weight, conv.bias!, stride, pad)) <= 1e-13);
      const relu = new Conv2d(C, O, k, { stride, padding: pad, activation: 'relu', generator: new Generator(1), ...opts });
      const plain = new Conv2d(C, O, k, { stride, padding: pad, generator: new Generator(1), ...opts });
      t.deepEqual(Array.from(relu.forward(x).toTypedArray()), Array.from(plain.forward(x).relu().toTypedArray()));
    }
  });

  test(`[${name}] nn.Sequential runs Conv2d + MaxPool2d fused: the same output and gradients as the two layers one by one`, (t) => {
    for (const [activation, pool, poolStride] of [['relu', 2, undefined], ['identity', 3, 1]] as const) {
      const gen = new Generator(11);
      const conv = new Conv2d(2, 4, 3, { padding: 1, activation, generator: gen, ...opts });
      const maxPool = new MaxPool2d(pool, poolStride);
      const net = new Sequential(conv, maxPool, new Flatten());
      const x = Tensor.randn([3, 2, 7, 6], { ...opts, generator: gen }).requiresGrad_();
      const fused = net.forward(x);
      const separate = new Flatten().forward(maxPool.forward(conv.forward(x)));
      t.deepEqual(Array.from(fused.toTypedArray()), Array.from(separate.toTypedArray()));
      const params = [x, conv.weight, conv.bias!];
      const fusedGrads = grad(fused.square().sum(), params), separateGrads = grad(separate.square().sum(), params);
      params.forEach((_, i) => t.true(maxDiff(fusedGrads[i].toTypedArray(), separateGrads[i].toTypedArray()) <= 1e-13, `${activation} input ${i}`));
    }
  });

  test(`[${name}] a subclass of Conv2d with its own forward is not fused`, (t) => {
    class Doubled extends Conv2d { override forward(x: Tensor): Tensor { return super.forward(x).scale(2); } }
    const conv = new Doubled(1, 2, 3, { generator: new Generator(3), ...opts });
    const x = Tensor.randn([1, 1, 6, 6], { ...opts, generator: new Generator(4) });
    const net = new Sequential(conv, new MaxPool2d(2));
    t.deepEqual(Array.from(net.forward(x).toTypedArray()), Array.from(new MaxPool2d(2).forward(conv.forward(x)).toTypedArray()));
  });

  test(`[${name}] a pooling window larger than the convolution's output is a ShapeError naming the pool`, (t) => {
    const net = new Sequential(new Conv2d(1, 2, 3, { generator: new Generator(3), ...opts }), new MaxPool2d(4));
    const err = t.throws(() => net.forward(Tensor.zeros([1, 1, 5, 5], opts)), { instanceOf: ShapeError });
    t.regex(err!.message, /MaxPool2d\(4×4\).*4×4 kernel is larger than the input \[1, 2, 3, 3\]/);
  });

  test(`[${name}] two forwards before a backward, and a backward twice, give the gradients of a fresh graph`, (t) => {
    const gen = new Generator(7);
    const conv = new Conv2d(2, 3, 3, { padding: 1, generator: gen, ...opts });
    const x1 = Tensor.randn([2, 2, 5, 5], { ...opts, generator: gen }).requiresGrad_();
    const x2 = Tensor.randn([2, 2, 5, 5], { ...opts, generator: gen });
    const reference = (x: Tensor) => grad(conv2d(x, conv.weight, conv.bias, { padding: 1 }).square().sum(), [conv.weight])[0].toTypedArray();
    const y1 = conv.forward(x1).square().sum();
    const y2 = conv.forward(x2).square().sum();
    t.deepEqual(Array.from(grad(y2, [conv.weight])[0].toTypedArray()), Array.from(reference(x2)));
    t.deepEqual(Array.from(grad(y1, [conv.weight])[0].toTypedArray()), Array.from(reference(x1)));
    conv.forward(x2);
    t.deepEqual(Array.from(grad(y1, [conv.weight])[0].toTypedArray()), Array.from(reference(x1)), 'backward again');
  });

  test(`[${name}] MaxPool2d and Flatten: shapes and values`, (t) => {
    const x = Tensor.from(Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => (i * 37) % 101), { ...opts, shape: [2, 3, 4, 5] });
    const y = new MaxPool2d(2).forward(x);
    t.deepEqual(y.shape, [2, 3, 2, 2]);
    const xs = x.toTypedArray();
    t.is(y.toTypedArray()[0], Math.max(xs[0], xs[1], xs[5], xs[6]));
    t.deepEqual(new MaxPool2d([2, 3], 1).forward(x).shape, [2, 3, 3, 3]);
    t.deepEqual(new Flatten().forward(y).shape, [2, 12]);
  });
}

test('bad shapes are ShapeErrors naming the layer and the shapes', (t) => {
  const conv = new Conv2d(3, 8, 5, { padding: 1 });
  t.throws(() => conv.forward(Tensor.zeros([1, 2, 9, 9])), { instanceOf: ShapeError, message: /^Conv2d\(3→8, 5×5, stride 1, padding 1\): input \[1, 2, 9, 9\] has 2 channels but the weight \[8, 3, 5, 5\] expects 3/ });
  t.throws(() => conv.forward(Tensor.zeros([1, 3, 2, 9])), { instanceOf: ShapeError, message: /Conv2d\(3→8.*the 5×5 kernel is larger than the input \[1, 3, 2, 9\] padded by 1×1/ });
  t.throws(() => conv.forward(Tensor.zeros([3, 9, 9])), { instanceOf: ShapeError, message: /Conv2d.*input must be N×C×H×W, not \[3, 9, 9\]/ });
  t.throws(() => new Conv2d(3, 8, 3, { stride: 0 }).forward(Tensor.zeros([1, 3, 9, 9])), { instanceOf: ShapeError, message: /stride must be a positive integer/ });
  t.throws(() => new Conv2d(3, 8, 0), { instanceOf: ShapeError, message: /Conv2d: kernel size must be a positive integer/ });
  t.throws(() => new Conv2d(0, 8, 3), { instanceOf: ShapeError, message: /inChannels must be a positive integer/ });
  t.throws(() => new MaxPool2d(3).forward(Tensor.zeros([1, 1, 2, 4])), { instanceOf: ShapeError, message: /^MaxPool2d\(3×3\): the 3×3 kernel is larger than the input \[1, 1, 2, 4\]/ });
  t.throws(() => new MaxPool2d(2, 0).forward(Tensor.zeros([1, 1, 4, 4])), { instanceOf: ShapeError, message: /MaxPool2d\(2×2\): stride must be a positive integer/ });
});
