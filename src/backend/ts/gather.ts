/**
 * Gather and scatter-add over flat arrays through an Int32Array of indices:
 * gather reads out[j] = src[index[j]], scatterAdd (its adjoint) accumulates
 * out[index[j]] += src[j], repeated indices in increasing j.
 *
 * Every index is checked to lie in range before anything is written (an
 * O(index.length) pass over the indices, never over the float data); a bad
 * one is a RangeError naming the kernel and the position. The sums of
 * scatterAdd are done in JS doubles and rounded once per addition when out is
 * a Float32Array (as the native backends do). out must not overlap src or
 * index (not checked here; the native backends refuse it).
 */
import type { FloatArray } from '../backend';
import { checkFloatArrays, checkInt32Array, checkSameLength } from '../check';

/** Throws a RangeError at the first index outside [0, bound). */
function checkIndices(kernel: string, index: Int32Array, bound: number, boundName: string): void {
  for (let j = 0; j < index.length; j++) {
    const i = index[j];
    if (i < 0 || i >= bound) {
      throw new RangeError(`${kernel}: index[${j}] = ${i} is outside [0, ${bound}) (${boundName} has ${bound} elements)`);
    }
  }
}

export function gather(src: FloatArray, index: Int32Array, out: FloatArray): void {
  const K = 'gather';
  checkFloatArrays(K, { src, out });
  checkInt32Array(K, 'index', index);
  checkSameLength(K, 'out', out, 'index', index);
  checkIndices(K, index, src.length, 'src');
  for (let j = 0; j < index.length; j++) out[j] = src[index[j]];
}

export function scatterAdd(src: FloatArray, index: Int32Array, out: FloatArray): void {
  const K = 'scatterAdd';
  checkFloatArrays(K, { src, out });
  checkInt32Array(K, 'index', index);
  checkSameLength(K, 'src', src, 'index', index);
  checkIndices(K, index, out.length, 'out');
  for (let j = 0; j < index.length; j++) out[index[j]] += src[j];
}
