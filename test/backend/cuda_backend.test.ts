/**
 * The cuda backend's TypeScript side over a mock addon (host memory behind
 * opaque handles, ts kernels): device storage and views, the memory
 * functions, every tensor / autograd / nn path giving exactly the ts
 * backend's numbers, and residency — no host↔device copies while training.
 * The native addon itself needs a GPU (test/backend/cuda_addon.test.ts
 * covers what can be checked without one).
 */
import test from 'ava';
import type { Backend, DeviceArray } from '../../src/backend/backend';
import { createCudaBackend } from '../../src/backend/cuda';
import { tsBackend } from '../../src/backend/ts';
import { DeviceMemoryError } from '../../src/errors';
import { EquivariantLinear, rotationRep } from '../../src/nn/equivariant';
import * as F from '../../src/nn/functional';
import { LayerNorm, Linear, Sequential } from '../../src/nn/layers';
import { Adam } from '../../src/optim/adam';
import { SGD } from '../../src/optim/sgd';
import { Generator } from '../../src/random';
import { Tensor } from '../../src/tensor/tensor';
import { MockCudaAddon } from '../helpers/mock_cuda';

function mockCuda(): { addon: MockCudaAddon; cuda: Backend } {
  const addon = new MockCudaAddon();
  return { addon, cuda: createCudaBackend(addon) };
}

test('memory: alloc is zero-filled, fromHost/toHost round-trip, views share memory at their offset', (t) => {
  const { addon, cuda } = mockCuda();
  const a = cuda.alloc('float64', 6) as DeviceArray;
  t.deepEqual([...cuda.toHost(a)], [0, 0, 0, 0, 0, 0]);
  const b = cuda.fromHost(Float32Array.from([1, 2, 3, 4, 5, 6])) as DeviceArray;
  t.is(b.dtype, 'float32');
  const v = cuda.view(cuda.view(b, 1, 4), 2, 2) as DeviceArray;
  t.is(v.offset, 3);
  t.deepEqual([...cuda.toHost(v)], [4, 5]);
  cuda.fill(v, 9);
  t.deepEqual([...cuda.toHost(b)], [1, 2, 3, 9, 9, 6]);
  const c = cuda.alloc('float32', 4);
  cuda.copy2d(2, 2, b, 3, c, 2);
  t.deepEqual([...cuda.toHost(c)], [1, 2, 9, 9]);
  cuda.cast(b, a);
  t.deepEqual([...cuda.toHost(a)], [1, 2, 3, 9, 9, 6]);
  t.throws(() => cuda.view(b, 4, 3), { instanceOf: RangeError, message: /cuda.view/ });
  t.throws(() => cuda.copy(Float32Array.from([1]), c), { instanceOf: TypeError, message: /cuda.copy: src is a host typed array/ });
  t.is(addon.uploads, 1);
  t.true(addon.downloads >= 5);
});

test('the mock addon\'s memoryStats() follows its allocations; emptyCache() is a no-op', (t) => {
  const { addon, cuda } = mockCuda();
  t.deepEqual(addon.memoryStats(), { allocator: 'cudaMalloc', allocatedBytes: 0, peakAllocatedBytes: 0, liveAllocations: 0, reservedBytes: 0 });
  const a = cuda.alloc('float64', 6);
  cuda.alloc('float32', 0);  // counts 8 bytes, as the addon
  cuda.fromHost(Float32Array.from([1, 2, 3]));
  const stats = addon.memoryStats();
  t.is(stats.liveAllocations, 3);
  t.is(stats.allocatedBytes, 48 + 8 + 12);
  t.is(stats.peakAllocatedBytes, 68);
  t.is(stats.reservedBytes, 68);
  addon.emptyCache();
  t.is(addon.emptyCacheCalls, 1);
  t.deepEqual([...cuda.toHost(a)], [0, 0, 0, 0, 0, 0]);
  t.deepEqual(addon.memoryStats(), stats);
});

test('a cuda tensor refuses host access through .data and moves only through toArray / item / to()', (t) => {
  const { addon, cuda } = mockCuda();
  const x = Tensor.from([[1, 2], [3, 4]], { backend: cuda });
  t.is(addon.uploads, 1);
  t.throws(() => x.data, { instanceOf: DeviceMemoryError, message: /device memory.*toArray\(\)/ });
  t.deepEqual(x.toArray(), [[1, 2], [3, 4]]);
  t.is(x.sum().item(), 10);
  const host = x.to(tsBackend);
  t.deepEqual([...host.data], [1, 2, 3, 4]);
  const back = host.mul(2).to(cuda);
  t.deepEqual(back.toArray(), [[2, 4], [6, 8]]);
  t.is(addon.uploads, 2);
  t.is(addon.downloads, 4);
});

type Program = (make: (values: number[], shape: number[], grad?: boolean) => Tensor) => Tensor[];

/** Runs a program on ts and on the mock cuda backend; every output and leaf gradient must be identical. */
function sameOnBoth(t: import('ava').ExecutionContext, title: string, program: Program): void {
  const run = (be: Backend) => {
    const leaves: Tensor[] = [];
    const make = (values: number[], shape: number[], grad = false) => {
      const x = Tensor.from(values, { shape, dtype: 'float64', backend: be, requiresGrad: grad });
      if (grad) leaves.push(x);
      return x;
    };
    const outs = program(make);
    return [...outs, ...leaves.map((l) => l.grad ?? Tensor.zeros([0], { backend: be }))].map((o) => o.toTypedArray());
  };
  const want = run(tsBackend);
  const got = run(mockCuda().cuda);
  t.is(got.length, want.length, title);
  want.forEach((w, i) => t.deepEqual([...got[i]], [...w], `${title}: output ${i}`));
}

const seq = (n: number, scale = 0.1) => Array.from({ length: n }, (_, i) => Math.sin(i + 1) * scale * 10);

test('tensor ops and their gradients give exactly the ts numbers on the cuda backend', (t) => {
  sameOnBoth(t, 'matmul / broadcasting / reductions', (make) => {
    const a = make(seq(12), [3, 4], true);
    const b = make(seq(8), [4, 2], true);
    const c = make(seq(2), [2], true);
    const y = a.matmul(b).add(c).tanh().mul(a.matmul(b).sigmoid());
    const loss = y.sum().add(y.max(0).sum()).add(y.mean(1).square().sum());
    loss.backward();
    return [y, loss];
  });
  sameOnBoth(t, 'batched and transposed matmul', (make) => {
    const a = make(seq(24), [2, 3, 4], true);
    const b = make(seq(40), [2, 5, 4], true);
    const y = a.matmul(b, { transposeB: true });
    y.square().sum().backward();
    return [y];
  });
  sameOnBoth(t, 'slices, concat, permute, take, broadcastTo, astype', (make) => {
    const a = make(seq(24), [4, 6], true);
    const parts = [a.sliceRows(1, 3), a.slice(1, 2, 5).slice(0, 0, 2)];
    const joined = Tensor.concat([parts[0], parts[1], a.slice(1, 0, 1).sliceRows(0, 2)], 1);
    const p = joined.permute(1, 0).take(Int32Array.from([0, 5, 5, 7, 2]), [5]);
    const z = p.broadcastTo([3, 5]).astype('float32').astype('float64').exp();
    z.sum().backward();
    return [joined, p, z];
  });
  sameOnBoth(t, 'layerNorm (residual, relu), biasActivation, crossEntropy, nll, softmax', (make) => {
    const x = make(seq(20), [4, 5], true);
    const r = make(seq(20, 0.05), [4, 5], true);
    const gamma = make(seq(5), [5], true);
    const beta = make(seq(5, 0.02), [5], true);
    const bias = make(seq(5, 0.03), [5], true);
    const labels = Int32Array.from([0, 4, 2, 2]);
    const h = F.layerNorm(x, gamma, beta, { residual: r, act: 'relu' });
    const z = F.biasActivation(h, bias, 'tanh');
    const loss = F.crossEntropy(z, labels).add(F.nllLoss(F.logSoftmax(z), labels).scale(0.5)).add(F.softmax(z).max());
    loss.scale(3).backward();
    return [h, z, loss, Tensor.from([...z.argmax(1)])];
  });
});

test('training stays on the device: no host↔device copy between creating the data and reading the loss', (t) => {
  const { addon, cuda } = mockCuda();
  const gen = new Generator(3);
  const x = Tensor.randn([16, 12], { generator: gen, backend: cuda });
  const labels = Int32Array.from({ length: 16 }, (_, i) => i % 3);
  const model = new Sequential(new Linear(12, 8, { activation: 'relu', generator: gen, backend: cuda }),
    new LayerNorm(8, 1e-5, { backend: cuda }), new Linear(8, 3, { generator: gen, backend: cuda }));
  const eq = new EquivariantLinear(rotationRep(2), rotationRep(2), { generator: gen, backend: cuda });
  const optimizers = [new Adam(model.parameters(), { lr: 0.01 }), new SGD(eq.parameters(), { lr: 0.1, momentum: 0.9 })];
  const before = { uploads: addon.uploads, downloads: addon.downloads };
  let loss: Tensor | null = null;
  for (let step = 0; step < 5; step++) {
    loss = F.crossEntropy(model.forward(x), labels).add(eq.forward(x.slice(1, 0, 4)).square().mean());
    for (const o of optimizers) o.zeroGrad();
    loss.backward();
    for (const o of optimizers) o.step();
  }
  t.deepEqual({ uploads: addon.uploads, downloads: addon.downloads }, before, 'nothing crossed during 5 training steps');
  t.true(Number.isFinite(loss!.item()));
  t.is(addon.downloads, before.downloads + 1, 'item() is one download');
});

test('symEig on cuda is an explicit host round trip with the right numbers', (t) => {
  const { addon, cuda } = mockCuda();
  const a = cuda.fromHost(Float64Array.from([2, 1, 1, 2]));
  const values = cuda.alloc('float64', 2);
  const vectors = cuda.alloc('float64', 4);
  cuda.symEig(2, a, values, vectors);
  const v = cuda.toHost(values);
  t.true(Math.abs(v[0] - 1) < 1e-12 && Math.abs(v[1] - 3) < 1e-12);
  t.is(addon.uploads, 3);
});
