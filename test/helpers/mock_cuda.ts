/**
 * A stand-in for gradnode_cuda.node that keeps "device" memory in host typed
 * arrays behind opaque handles, so the cuda backend's TypeScript side (device
 * storage, views, memory functions, the kernel wrapping, residency) runs and
 * is tested on machines without a GPU. Kernels resolve every DeviceArray to
 * its host view and run the ts reference. It counts host↔device copies.
 *
 * memoryStats() follows the allocations like the addon's counters: alloc()
 * adds (at least 8 bytes, as the addon), garbage collection of a handle
 * (FinalizationRegistry, as the addon's External finalizer) subtracts. The
 * mock caches nothing, so it reports allocator 'cudaMalloc' (the uncached
 * mode: reservedBytes = allocatedBytes), and emptyCache() is a no-op that
 * counts its calls.
 */
import type { DeviceArray, FloatArray } from '../../src/backend/backend';
import { ACTIVATIONS, BINARY_OPS, REDUCE_OPS, UNARY_OPS } from '../../src/backend/backend';
import type { CudaKernelAddon } from '../../src/backend/cuda';
import type { CudaMemoryStats } from '../../src/backend/cuda_addon';
import { hostMemory } from '../../src/backend/host';
import { tsBackend as ts } from '../../src/backend/ts';

type Maybe = DeviceArray | null | undefined;

export class MockCudaAddon implements CudaKernelAddon {
  uploads = 0;
  downloads = 0;
  emptyCacheCalls = 0;
  private readonly memory = new WeakMap<object, FloatArray>();
  private readonly stats = { allocatedBytes: 0, peakAllocatedBytes: 0, liveAllocations: 0 };
  private readonly freed = new FinalizationRegistry<number>((bytes) => {
    this.stats.allocatedBytes -= bytes;
    this.stats.liveAllocations -= 1;
  });

  /** The host view behind a DeviceArray, checked like the native addon checks it. */
  resolve(d: DeviceArray): FloatArray {
    if (d instanceof Float32Array || d instanceof Float64Array) throw new TypeError('mock cuda: expected a DeviceArray, got a typed array');
    const base = d && typeof d === 'object' ? this.memory.get(d.handle) : undefined;
    if (!base) throw new TypeError('mock cuda: not a DeviceArray of this addon');
    const dtype = base instanceof Float64Array ? 'float64' : 'float32';
    if (d.dtype !== dtype) throw new TypeError(`mock cuda: view says ${d.dtype}, allocation is ${dtype}`);
    if (d.offset < 0 || d.length < 0 || d.offset + d.length > base.length) throw new RangeError('mock cuda: view outside its allocation');
    return base.subarray(d.offset, d.offset + d.length);
  }

  private maybe(d: Maybe): FloatArray | null {
    return d === null || d === undefined ? null : this.resolve(d);
  }

  alloc(dtype: number, length: number): object {
    const handle = {};
    const data = dtype === 1 ? new Float64Array(length) : new Float32Array(length);
    this.memory.set(handle, data);
    const bytes = Math.max(data.byteLength, 8);
    this.stats.allocatedBytes += bytes;
    this.stats.liveAllocations += 1;
    this.stats.peakAllocatedBytes = Math.max(this.stats.peakAllocatedBytes, this.stats.allocatedBytes);
    this.freed.register(handle, bytes);
    return handle;
  }
  upload(src: FloatArray, dst: DeviceArray): void { this.uploads++; hostMemory.copy(src, this.resolve(dst)); }
  download(src: DeviceArray, dst: FloatArray): void { this.downloads++; hostMemory.copy(this.resolve(src), dst); }
  copy(src: DeviceArray, dst: DeviceArray): void { hostMemory.copy(this.resolve(src), this.resolve(dst)); }
  copy2d(rows: number, cols: number, src: DeviceArray, srcStride: number, dst: DeviceArray, dstStride: number): void {
    hostMemory.copy2d(rows, cols, this.resolve(src), srcStride, this.resolve(dst), dstStride);
  }
  fill(dst: DeviceArray, value: number): void { hostMemory.fill(this.resolve(dst), value); }
  cast(src: DeviceArray, dst: DeviceArray): void { hostMemory.cast(this.resolve(src), this.resolve(dst)); }
  synchronize(): void {}
  emptyCache(): void { this.emptyCacheCalls++; }
  memoryStats(): CudaMemoryStats {
    return { allocator: 'cudaMalloc', ...this.stats, reservedBytes: this.stats.allocatedBytes };
  }

  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: DeviceArray, lda: number,
       b: DeviceArray, ldb: number, beta: number, c: DeviceArray, ldc: number): void {
    ts.gemm(transA, transB, m, n, k, alpha, this.resolve(a), lda, this.resolve(b), ldb, beta, this.resolve(c), ldc);
  }
  biasActivationForward(act: number, m: number, n: number, x: DeviceArray, bias: Maybe, out: DeviceArray): void {
    ts.biasActivationForward(ACTIVATIONS[act], m, n, this.resolve(x), this.maybe(bias), this.resolve(out));
  }
  biasActivationBackward(act: number, m: number, n: number, dOut: DeviceArray, out: DeviceArray, dX: DeviceArray, dBias: Maybe): void {
    ts.biasActivationBackward(ACTIVATIONS[act], m, n, this.resolve(dOut), this.resolve(out), this.resolve(dX), this.maybe(dBias));
  }
  layerNormForward(m: number, n: number, x: DeviceArray, residual: Maybe, gamma: DeviceArray, beta: DeviceArray, eps: number,
                   act: number, out: DeviceArray, mean: DeviceArray, rstd: DeviceArray): void {
    ts.layerNormForward(m, n, this.resolve(x), this.maybe(residual), this.resolve(gamma), this.resolve(beta), eps,
      act === 1 ? 'relu' : 'identity', this.resolve(out), this.resolve(mean), this.resolve(rstd));
  }
  layerNormBackward(m: number, n: number, dOut: DeviceArray, x: DeviceArray, residual: Maybe, mean: DeviceArray, rstd: DeviceArray,
                    gamma: DeviceArray, act: number, out: Maybe, dX: DeviceArray, dGamma: Maybe, dBeta: Maybe): void {
    ts.layerNormBackward(m, n, this.resolve(dOut), this.resolve(x), this.maybe(residual), this.resolve(mean), this.resolve(rstd),
      this.resolve(gamma), act === 1 ? 'relu' : 'identity', this.maybe(out), this.resolve(dX), this.maybe(dGamma), this.maybe(dBeta));
  }
  logSoftmaxNllForward(m: number, c: number, logits: DeviceArray, labels: Int32Array, logProbs: DeviceArray, argmax: Int32Array | null | undefined): number {
    return ts.logSoftmaxNllForward(m, c, this.resolve(logits), labels, this.resolve(logProbs), argmax ?? null);
  }
  logSoftmaxNllBackward(m: number, c: number, logProbs: DeviceArray, labels: Int32Array, gradLoss: number, dLogits: DeviceArray): void {
    ts.logSoftmaxNllBackward(m, c, this.resolve(logProbs), labels, gradLoss, this.resolve(dLogits));
  }
  im2col(batch: number, channels: number, height: number, width: number, kernelH: number, kernelW: number,
         strideH: number, strideW: number, padH: number, padW: number, images: DeviceArray, cols: DeviceArray): void {
    ts.im2col({ batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW }, this.resolve(images), this.resolve(cols));
  }
  col2im(batch: number, channels: number, height: number, width: number, kernelH: number, kernelW: number,
         strideH: number, strideW: number, padH: number, padW: number, cols: DeviceArray, images: DeviceArray): void {
    ts.col2im({ batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW }, this.resolve(cols), this.resolve(images));
  }
  binary(op: number, shape: readonly number[], a: DeviceArray, aStrides: readonly number[], b: DeviceArray,
         bStrides: readonly number[], out: DeviceArray): void {
    ts.binary(BINARY_OPS[op], shape, this.resolve(a), aStrides, this.resolve(b), bStrides, this.resolve(out));
  }
  unary(op: number, x: DeviceArray, out: DeviceArray): void { ts.unary(UNARY_OPS[op], this.resolve(x), this.resolve(out)); }
  scale(alpha: number, x: DeviceArray, out: DeviceArray): void { ts.scale(alpha, this.resolve(x), this.resolve(out)); }
  axpy(alpha: number, x: DeviceArray, y: DeviceArray): void { ts.axpy(alpha, this.resolve(x), this.resolve(y)); }
  copyStrided(shape: readonly number[], src: DeviceArray, srcStrides: readonly number[], out: DeviceArray): void {
    ts.copyStrided(shape, this.resolve(src), srcStrides, this.resolve(out));
  }
  reduce(op: number, outer: number, n: number, inner: number, x: DeviceArray, out: DeviceArray): void {
    ts.reduce(REDUCE_OPS[op], outer, n, inner, this.resolve(x), this.resolve(out));
  }
  argmax(outer: number, n: number, inner: number, x: DeviceArray, out: Int32Array): void {
    ts.argmax(outer, n, inner, this.resolve(x), out);
  }
  gather(src: DeviceArray, index: Int32Array, out: DeviceArray): void { ts.gather(this.resolve(src), index, this.resolve(out)); }
  scatterAdd(src: DeviceArray, index: Int32Array, out: DeviceArray): void { ts.scatterAdd(this.resolve(src), index, this.resolve(out)); }
}
