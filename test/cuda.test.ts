/**
 * gradnode.cuda (src/cuda.ts). Without a device (this machine, CI) it must
 * answer and refuse cleanly; on a GPU machine (scripts/device/check.sh) the
 * allocator's counters must follow a tensor's allocation.
 */
import test from 'ava';
import { cuda, Tensor, BackendUnavailableError } from '../src';
import { loadCudaAddon } from '../src/backend/cuda_addon';

const reason = cuda.unavailableReason();

if (reason !== null) {
  test('without CUDA: isAvailable is false, synchronize refuses with the reason, stats are zero, emptyCache is a no-op', (t) => {
    t.log(`no CUDA here: ${reason}`);
    t.false(cuda.isAvailable());
    const err = t.throws(() => cuda.synchronize(), { instanceOf: BackendUnavailableError });
    t.is(err?.message, `cuda.synchronize: ${reason}`);
    t.deepEqual(cuda.memoryStats(), { allocator: 'none', allocatedBytes: 0, peakAllocatedBytes: 0, liveAllocations: 0, reservedBytes: 0 });
    t.notThrows(() => cuda.emptyCache());
    if (loadCudaAddon().ok) t.regex(reason, /^no CUDA device: /);
  });
} else {
  test('with CUDA: the allocator counts a tensor\'s memory, synchronize and emptyCache run', (t) => {
    t.true(cuda.isAvailable());
    const before = cuda.memoryStats();
    const n = 1 << 20;
    const x = Tensor.zeros([n], { backend: 'cuda', dtype: 'float32' });
    const after = cuda.memoryStats();
    t.is(after.allocator, process.env.GRADNODE_CUDA_ALLOCATOR === 'malloc' ? 'cudaMalloc' : 'pool');
    t.true(after.allocatedBytes - before.allocatedBytes >= 4 * n, `${before.allocatedBytes} -> ${after.allocatedBytes}`);
    t.true(after.liveAllocations > before.liveAllocations);
    t.true(after.peakAllocatedBytes >= after.allocatedBytes);
    t.true(after.reservedBytes >= after.allocatedBytes);
    cuda.synchronize();
    cuda.emptyCache();
    t.is(x.sum().item(), 0);
    t.true(cuda.memoryStats().allocatedBytes >= 4 * n);
  });
}
