/**
 * Running the host-array test suites on a device backend: `hostFacing(be)`
 * is `be` with kernels that take typed arrays, uploading every float array
 * argument, calling the device kernel, and downloading each back into the
 * caller's array (so outputs, and in-place updates, land where a host
 * backend would put them). The same typed array passed twice maps to one
 * device buffer, so aliasing (out = x) keeps its meaning.
 */
import { isHostArray, type Backend, type FloatArray, type Storage } from '../../src/backend/backend';

const MEMORY = new Set(['memory', 'alloc', 'fromHost', 'toHost', 'view', 'copy', 'copy2d', 'fill', 'cast']);

export function hostFacing(be: Backend): Backend {
  if (be.memory === 'host') return be;
  const wrapped: Record<string, unknown> = { ...be };
  for (const [key, value] of Object.entries(be)) {
    if (typeof value !== 'function' || MEMORY.has(key)) continue;
    wrapped[key] = (...args: unknown[]) => {
      const onDevice = new Map<FloatArray, Storage>();
      const mapped = args.map((a) => {
        if (!(a instanceof Float32Array || a instanceof Float64Array)) return a;
        let d = onDevice.get(a);
        if (!d) onDevice.set(a, (d = be.fromHost(a)));
        return d;
      });
      const result = (value as (...xs: unknown[]) => unknown)(...mapped);
      for (const [host, d] of onDevice) if (!isHostArray(d)) host.set(be.toHost(d));
      return result;
    };
  }
  return wrapped as unknown as Backend;
}
