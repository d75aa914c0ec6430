/**
 * The CUDA addon on a machine without a GPU: it is built where nvcc is
 * installed, loads, reports the missing device through info() without
 * throwing, checks its arguments before any CUDA call (TypeError/RangeError
 * naming the kernel), and turns CUDA failures into JS errors, never a crash.
 * Where the addon is not built the tests skip with the reason, unless
 * GRADNODE_REQUIRE_NATIVE includes 'cuda-build'. Where a device is present,
 * the no-device assertions skip (the kernels are checked by the backend's
 * own suites and native/cuda/test/driver.cu there).
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { unavailableReason } from '../../src/backend';
import { type CudaAddon, type DeviceArray, cudaUnavailableReason, loadCudaAddon } from '../../src/backend/cuda_addon';
import { CudaError } from '../../src/errors';

const root = path.resolve(__dirname, '..', '..');
const requireBuild = (process.env.GRADNODE_REQUIRE_NATIVE ?? '').split(',').includes('cuda-build');

function nvccPresent(): boolean {
  return spawnSync('sh', ['-c', 'command -v nvcc || test -x /usr/local/cuda/bin/nvcc'], { encoding: 'utf8' }).status === 0;
}

/** The loaded addon, or null after logging why the test is skipped. */
function addonOrSkip(t: { log(...m: unknown[]): void; fail(m: string): void }): CudaAddon | null {
  const load = loadCudaAddon();
  if (load.ok) return load.addon;
  if (requireBuild) {
    t.fail(`GRADNODE_REQUIRE_NATIVE asks for the cuda build: ${load.reason}`);
  } else {
    t.log(`skipped: ${load.reason}`);
  }
  return null;
}

function hasDevice(addon: CudaAddon): boolean {
  return addon.info().deviceCount > 0;
}

/** A DeviceArray whose handle is not an allocation (the only kind that can be made without a device). */
const fake = (length = 4): DeviceArray => ({ handle: {}, offset: 0, length, dtype: 'float32' });

test('the cuda addon is built where nvcc is installed and exports the whole contract', (t) => {
  const load = loadCudaAddon();
  if (!load.ok) {
    if (requireBuild) {
      t.fail(load.reason);
      return;
    }
    t.log(`skipped: ${load.reason}${nvccPresent() ? ' (nvcc is present: run `npm run build:cuda`)' : ''}`);
    t.pass();
    return;
  }
  t.true(load.file.endsWith('gradnode_cuda.node'));
  t.is(typeof load.addon.emptyCache, 'function');
  t.is(typeof load.addon.memoryStats, 'function');
});

test('the build script prints one line and succeeds without nvcc, even with --strict', (t) => {
  const run = spawnSync(process.execPath, ['scripts/build-cuda.js', '--strict'], {
    cwd: root, encoding: 'utf8', env: { ...process.env, GRADNODE_NVCC: 'none', GRADNODE_NO_ADDON: '' },
  });
  t.is(run.status, 0, run.stderr);
  t.is(run.stdout, 'cuda addon: skipped, nvcc not found\n');
  const off = spawnSync(process.execPath, ['scripts/build-cuda.js', '--strict'], {
    cwd: root, encoding: 'utf8', env: { ...process.env, GRADNODE_NO_ADDON: '1' },
  });
  t.is(off.status, 0);
  t.regex(off.stdout, /skipped \(GRADNODE_NO_ADDON=1\)/);
});

test('info() does not throw and reports the missing device with the CUDA error', (t) => {
  const addon = addonOrSkip(t);
  if (!addon) return t.pass();
  const info = addon.info();
  t.true(info.cudaRuntimeVersion >= 11000);
  t.is(typeof info.cudaDriverVersion, 'number');
  t.deepEqual(info.enums.reduceOps, ['sum', 'max', 'min']);
  t.true(info.gemm === 'cublas' || info.gemm === 'tiled');
  if (info.deviceCount > 0) {
    t.is(info.error, null);
    t.log(`device present: ${info.devices.map((d) => d.name).join(', ')}`);
    return;
  }
  t.is(info.deviceCount, 0);
  t.deepEqual(info.devices, []);
  t.truthy(info.error);
  t.regex(info.error!, /cudaGetDeviceCount failed: .+|no device/);
  t.false(info.cublas.loaded);
  t.is(info.gemm, 'tiled');
});

test('without a device, alloc and synchronize throw JS errors naming the call and the CUDA error', (t) => {
  const addon = addonOrSkip(t);
  if (!addon) return t.pass();
  if (hasDevice(addon)) return t.pass();
  const err = t.throws(() => addon.alloc(0, 16), { instanceOf: CudaError }) as CudaError;
  t.is(err.constructor, CudaError);
  // The allocator's first call (cudaGetDevice, choosing the mode) is the one that fails.
  t.regex(err.message, /^alloc: cuda\w+( \(\w+\))? failed: .+ \(cuda\w+\)$/);
  t.is(`(${err.code})`, /\(cuda\w+\)$/.exec(err.message)![0], 'code is the CUDA error name of the message');
  t.true(Number.isInteger(err.status) && err.status > 0);
  t.throws(() => addon.alloc(1, 0), { message: /^alloc: cuda\w+( \(\w+\))? failed: / });
  t.throws(() => addon.synchronize(), { message: /^synchronize: cudaDeviceSynchronize failed/ });
  t.throws(() => addon.setGemm('cublas'), { message: /^setGemm: cuBLAS is not loaded/ });
  t.notThrows(() => addon.setGemm('tiled'));
});

test('without a device, memoryStats() reports allocator none and zeros, emptyCache() is a no-op', (t) => {
  const addon = addonOrSkip(t);
  if (!addon) return t.pass();
  if (hasDevice(addon)) return t.pass();
  const none = { allocator: 'none', allocatedBytes: 0, peakAllocatedBytes: 0, liveAllocations: 0, reservedBytes: 0 };
  t.deepEqual(addon.memoryStats(), none);
  t.throws(() => addon.alloc(0, 1024));
  t.deepEqual(addon.memoryStats(), none, 'a failed alloc counts nothing and chooses no mode');
  // Nothing was ever allocated, so nothing is cached: no CUDA call, no error.
  t.is(addon.emptyCache(), undefined);
  t.deepEqual(addon.memoryStats(), none);
  const any = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
  t.throws(() => any.memoryStats(1), { instanceOf: TypeError, message: 'memoryStats: expects 0 arguments, got 1' });
  t.throws(() => any.emptyCache(1), { instanceOf: TypeError, message: 'emptyCache: expects 0 arguments, got 1' });
});

test('with a device, memoryStats() follows alloc() and emptyCache() does not throw', (t) => {
  const addon = addonOrSkip(t);
  if (!addon) return t.pass();
  if (!hasDevice(addon)) return t.pass();
  const before = addon.memoryStats();
  const handle = addon.alloc(1, 1000);
  const after = addon.memoryStats();
  t.true(after.allocator === 'pool' || after.allocator === 'cudaMalloc', after.allocator);
  if (process.env.GRADNODE_CUDA_ALLOCATOR === 'malloc') t.is(after.allocator, 'cudaMalloc');
  t.is(after.liveAllocations, before.liveAllocations + 1);
  t.is(after.allocatedBytes, before.allocatedBytes + 8000);
  t.true(after.peakAllocatedBytes >= after.allocatedBytes);
  t.true(after.reservedBytes >= after.allocatedBytes);
  const out = new Float64Array(1000).fill(1);
  addon.download({ handle, offset: 0, length: 1000, dtype: 'float64' }, out);
  t.true(out.every((v) => v === 0), 'zero-filled');
  t.notThrows(() => addon.emptyCache());
  t.log(`memoryStats: ${JSON.stringify(addon.memoryStats())}`);
});

test('arguments are checked before any CUDA call: TypeError / RangeError naming kernel and argument', (t) => {
  const addon = addonOrSkip(t);
  if (!addon) return t.pass();
  const any = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
  t.throws(() => any.alloc(2, 4), { instanceOf: RangeError, message: /^alloc: dtype must be an index/ });
  t.throws(() => any.alloc(0, -1), { instanceOf: RangeError, message: /^alloc: length must be an integer/ });
  t.throws(() => any.alloc(0), { instanceOf: TypeError, message: 'alloc: expects 2 arguments, got 1' });
  t.throws(() => addon.fill(fake(), 1), {
    instanceOf: TypeError, message: /^fill: dst\.handle must be a device allocation made by alloc\(\), got an object/,
  });
  t.throws(() => any.fill(new Float32Array(4), 1), {
    instanceOf: TypeError, message: /^fill: dst must be a DeviceArray \{ handle, offset, length, dtype \}, got a Float32Array/,
  });
  t.throws(() => any.upload(new Int32Array(4), fake()), {
    instanceOf: TypeError, message: /^upload: src must be a Float32Array or Float64Array, got an Int32Array/,
  });
  t.throws(() => addon.download(fake(), new Float32Array(4)), { instanceOf: TypeError, message: /^download: src\.handle/ });
  t.throws(() => addon.copy(fake(), fake()), { instanceOf: TypeError, message: /^copy: src\.handle/ });
  t.throws(() => addon.cast(fake(), fake()), { instanceOf: TypeError, message: /^cast: dst\.handle/ });
  t.throws(() => addon.copy2d(2, 2, fake(), 2, fake(), 2), { instanceOf: TypeError, message: /^copy2d: src\.handle/ });
  t.throws(() => addon.copy2d(2, -2, fake(), 2, fake(), 2), { instanceOf: RangeError, message: /^copy2d: cols must be an integer/ });
  t.throws(() => any.setGemm('blas'), { instanceOf: RangeError, message: /^setGemm: impl must be 'cublas' or 'tiled'/ });
  t.throws(() => any.setGemm(1), { instanceOf: TypeError, message: /^setGemm: impl must be/ });
  t.throws(() => any.setErrorClasses(CudaError, {}), {
    instanceOf: TypeError, message: 'setErrorClasses: outOfMemory must be a class (a function)',
  });
  t.throws(() => any.setErrorClasses(CudaError), { instanceOf: TypeError, message: /^setErrorClasses: expects 2 arguments, got 1/ });
  // gemm: scalars first, then the DeviceArrays
  t.throws(() => addon.gemm(false, false, 2, 2, 2, 1, fake(), 2, fake(), 2, 0, fake(), 2), {
    instanceOf: TypeError, message: /^gemm: a\.handle must be a device allocation/,
  });
  t.throws(() => addon.gemm(false, false, -1, 2, 2, 1, fake(), 2, fake(), 2, 0, fake(), 2), {
    instanceOf: RangeError, message: /^gemm: m must be an integer/,
  });
  t.throws(() => any.gemm(false, false, 2, 2, 2, 1, null, 2, fake(), 2, 0, fake(), 2), {
    instanceOf: TypeError, message: /^gemm: a must be a DeviceArray/,
  });
  // A getter that throws: its exception comes through unchanged.
  const trap = { get handle(): object { throw new Error('boom'); }, offset: 0, length: 1, dtype: 'float32' as const };
  t.throws(() => addon.fill(trap, 0), { message: 'boom' });
});

test('the kernel families check their DeviceArrays too', (t) => {
  const addon = addonOrSkip(t);
  if (!addon) return t.pass();
  const any = addon as unknown as Record<string, unknown>;
  const checks: [string, () => unknown][] = [
    ['scale', () => addon.scale(2, fake(), fake())],
    ['unary', () => addon.unary(0, fake(), fake())],
    ['axpy', () => addon.axpy(2, fake(), fake())],
    ['biasActivationForward', () => addon.biasActivationForward(0, 2, 2, fake(), null, fake())],
    ['layerNormForward', () => addon.layerNormForward(2, 2, fake(), null, fake(), fake(), 1e-5, 0, fake(), fake(), fake())],
    ['logSoftmaxNllForward', () => addon.logSoftmaxNllForward(2, 2, fake(), new Int32Array(2), fake(), null)],
    ['gather', () => addon.gather(fake(), new Int32Array(2), fake())],
    ['reduce', () => addon.reduce(0, 1, 4, 1, fake(), fake(1))],
    ['im2col', () => addon.im2col(1, 1, 2, 2, 1, 1, 1, 1, 0, 0, fake(), fake())],
  ];
  for (const [name, call] of checks) {
    if (typeof any[name] !== 'function') {
      t.log(`${name}: not exported yet`);
      continue;
    }
    let err: unknown;
    try {
      call();
    } catch (e) {
      err = e;
    }
    t.true(err instanceof TypeError, `${name}: ${String(err)}`);
    t.regex((err as Error).message, new RegExp(`^${name}: \\w+(\\.handle)? must be`), name);
  }
});

test('unavailableReason("cuda") names the missing device or the missing build, and is null with a device', (t) => {
  const reason = unavailableReason('cuda');
  const own = cudaUnavailableReason();
  const load = loadCudaAddon();
  if (load.ok && !hasDevice(load.addon)) {
    t.is(reason, own);
    t.regex(reason ?? '', /^no CUDA device: cudaGetDeviceCount failed: /);
  } else if (!load.ok) {
    t.is(reason, load.reason);
    t.truthy(reason);
    t.log(reason);
  } else {
    t.is(own, null);
    t.is(reason, null);
  }
});
