/**
 * Memory functions of the host backends (ts, cpu): storage is a typed array
 * JS owns, so fromHost/toHost are the array itself, views are subarrays and
 * copies are TypedArray.set. Arguments are checked like the kernels' (one-line
 * TypeError / RangeError naming the function).
 */
import { allocate, type Backend, type DType, type FloatArray, type Storage } from './backend';

function host(s: Storage, fn: string, what: string): FloatArray {
  if (!(s instanceof Float32Array) && !(s instanceof Float64Array)) {
    throw new TypeError(`${fn}: ${what} must be a Float32Array or Float64Array on a host backend`);
  }
  return s;
}

function count(n: number, fn: string, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${fn}: ${what} must be a non-negative integer, not ${n}`);
  return n;
}

function sameDType(a: FloatArray, b: FloatArray, fn: string): void {
  if (a.constructor !== b.constructor) throw new TypeError(`${fn}: src and dst have different dtypes`);
}

export const hostMemory: Pick<Backend, 'memory' | 'alloc' | 'fromHost' | 'toHost' | 'view' | 'copy' | 'copy2d' | 'fill' | 'cast'> = {
  memory: 'host',
  alloc(dtype: DType, length: number): FloatArray {
    count(length, 'alloc', 'length');
    if (dtype === 'float64' || dtype === 'float32') return allocate(dtype, length);
    throw new TypeError(`alloc: dtype must be 'float32' or 'float64', not ${String(dtype)}`);
  },
  fromHost: (data) => host(data, 'fromHost', 'data'),
  toHost: (s) => host(s, 'toHost', 'storage'),
  view(s, offset, length) {
    const a = host(s, 'view', 'storage');
    count(offset, 'view', 'offset');
    count(length, 'view', 'length');
    if (offset + length > a.length) throw new RangeError(`view: ${offset}+${length} exceeds ${a.length} elements`);
    return a.subarray(offset, offset + length);
  },
  copy(src, dst) {
    const s = host(src, 'copy', 'src');
    const d = host(dst, 'copy', 'dst');
    sameDType(s, d, 'copy');
    if (s.length !== d.length) throw new RangeError(`copy: src has ${s.length} elements, dst ${d.length}`);
    d.set(s);
  },
  copy2d(rows, cols, src, srcStride, dst, dstStride) {
    const s = host(src, 'copy2d', 'src');
    const d = host(dst, 'copy2d', 'dst');
    sameDType(s, d, 'copy2d');
    for (const [v, what] of [[rows, 'rows'], [cols, 'cols'], [srcStride, 'srcStride'], [dstStride, 'dstStride']] as const) count(v, 'copy2d', what);
    if (rows > 0 && cols > 0) {
      if (srcStride < cols || dstStride < cols) throw new RangeError(`copy2d: strides ${srcStride}, ${dstStride} are below cols ${cols}`);
      if ((rows - 1) * srcStride + cols > s.length || (rows - 1) * dstStride + cols > d.length) {
        throw new RangeError(`copy2d: ${rows}×${cols} with strides ${srcStride}, ${dstStride} exceeds src (${s.length}) or dst (${d.length})`);
      }
    }
    for (let r = 0; r < rows; r++) d.set(s.subarray(r * srcStride, r * srcStride + cols), r * dstStride);
  },
  fill(dst, value) {
    host(dst, 'fill', 'dst').fill(value);
  },
  cast(src, dst) {
    const s = host(src, 'cast', 'src');
    const d = host(dst, 'cast', 'dst');
    if (s.length !== d.length) throw new RangeError(`cast: src has ${s.length} elements, dst ${d.length}`);
    d.set(s);
  },
};
