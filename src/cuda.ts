/**
 * `gradnode.cuda`: the device as a whole, as torch.cuda has it. Tensors move
 * with `.to('cuda')` or a cuda backend; this module answers whether CUDA is
 * usable, waits for queued kernels, and reads or trims the caching
 * allocator (native/cuda/allocator.h):
 *
 *   import { cuda } from 'gradnode';
 *   if (cuda.isAvailable()) { ...; cuda.synchronize(); console.log(cuda.memoryStats().allocatedBytes); }
 */
import { cudaUnavailableReason, loadCudaAddon, type CudaMemoryStats } from './backend/cuda_addon';
import { BackendUnavailableError } from './errors';

export type { CudaMemoryStats } from './backend/cuda_addon';
/** What failed CUDA calls throw (torch.cuda.OutOfMemoryError's counterpart is OutOfMemoryError). */
export { CudaError, CudaOutOfMemoryError as OutOfMemoryError } from './errors';

/** Whether the cuda addon loads and sees a device. */
export function isAvailable(): boolean {
  return cudaUnavailableReason() === null;
}

/** Why CUDA cannot be used here ("no CUDA device: ..."), or null when it can. */
export function unavailableReason(): string | null {
  return cudaUnavailableReason();
}

/** Waits for every queued kernel (for timing); throws BackendUnavailableError without CUDA. */
export function synchronize(): void {
  const reason = cudaUnavailableReason();
  const load = loadCudaAddon();
  if (reason !== null || !load.ok) throw new BackendUnavailableError(`cuda.synchronize: ${reason}`);
  load.addon.synchronize();
}

const NO_STATS: CudaMemoryStats = { allocator: 'none', allocatedBytes: 0, peakAllocatedBytes: 0, liveAllocations: 0, reservedBytes: 0 };

/**
 * The allocator's counters: live and peak bytes of tensors' device memory,
 * the live allocations, and what the pool holds (reservedBytes). All zero,
 * allocator 'none', before the first allocation or without CUDA.
 */
export function memoryStats(): CudaMemoryStats {
  const load = loadCudaAddon();
  return load.ok ? load.addon.memoryStats() : { ...NO_STATS };
}

/**
 * Returns the allocator's cached, unused blocks to the driver (for another
 * process on the GPU); memory of live tensors stays. A no-op without CUDA.
 */
export function emptyCache(): void {
  const load = loadCudaAddon();
  if (load.ok) load.addon.emptyCache();
}
