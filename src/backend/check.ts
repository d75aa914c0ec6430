/**
 * Cheap argument checks shared by the backends' TypeScript entry points.
 *
 * Every check is O(1) (or O(rank) for shapes): none of them ever reads the
 * float data. Errors name the kernel and the argument:
 *
 * - TypeError (DTypeError for dtype problems) for a value of the wrong type:
 *   a non-number size, a plain Array where a Float32Array/Float64Array is
 *   needed, float arrays of mixed dtypes in one call, labels that are not an
 *   Int32Array;
 * - RangeError for a size that is not a non-negative safe integer, an unknown
 *   op name, a label outside [0, c); ShapeError (a RangeError) for a leading
 *   dimension smaller than the row length or an array too short for the
 *   shapes and strides it is used with.
 */
import { DTypeError, ShapeError } from '../errors';
import type { DType, FloatArray } from './backend';

/**
 * The shapes an error message adds in parentheses: a string, or a function
 * that builds it only when a check fails (hot kernels on tiny tensors would
 * otherwise spend more time formatting messages than computing).
 */
export type Detail = string | (() => string);

function detailText(detail: Detail): string {
  return typeof detail === 'function' ? detail() : detail;
}

/** A short description of a value for error messages ("Float32Array", "number 3", "null"). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'object') {
    const ctor = (value as { constructor?: { name?: string } }).constructor;
    return ctor?.name ?? 'object';
  }
  if (typeof value === 'string') return `string '${value}'`;
  return `${typeof value} ${String(value)}`;
}

/** Whether value is a Float32Array or a Float64Array. */
export function isFloatArray(value: unknown): value is FloatArray {
  return value instanceof Float32Array || value instanceof Float64Array;
}

/** The dtype of a float array. */
export function dtypeOf(array: FloatArray): DType {
  return array instanceof Float32Array ? 'float32' : 'float64';
}

/**
 * A size (a dimension, a count): a non-negative safe integer. TypeError when
 * it is not a number at all, RangeError otherwise. Returns the value.
 */
export function checkSize(kernel: string, name: string, value: unknown): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${kernel}: ${name} must be a number, got ${describe(value)}`);
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${kernel}: ${name} must be a non-negative safe integer, got ${value}`);
  }
  return value;
}

/** A size that must be at least 1 (a stride, a kernel extent). */
export function checkPositiveSize(kernel: string, name: string, value: unknown): number {
  checkSize(kernel, name, value);
  if ((value as number) < 1) {
    throw new RangeError(`${kernel}: ${name} must be at least 1, got ${value}`);
  }
  return value as number;
}

/** A scalar argument (alpha, beta, eps, gradLoss): any number, NaN and ±Infinity included. */
export function checkNumber(kernel: string, name: string, value: unknown): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${kernel}: ${name} must be a number, got ${describe(value)}`);
  }
  return value;
}

/** A boolean flag (transA, transB). */
export function checkBoolean(kernel: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(`${kernel}: ${name} must be a boolean, got ${describe(value)}`);
  }
  return value;
}

/**
 * One of a fixed set of names (an op, an activation). TypeError when it is
 * not a string, RangeError when it is an unknown name.
 */
export function checkOption<T extends string>(kernel: string, name: string, value: unknown,
                                              allowed: readonly T[]): T {
  if (typeof value !== 'string') {
    throw new TypeError(`${kernel}: ${name} must be a string, got ${describe(value)}`);
  }
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`${kernel}: unknown ${name} '${value}' (expected one of ${allowed.join(', ')})`);
  }
  return value as T;
}

/**
 * The float arrays of one call: each entry of `required` must be a
 * Float32Array or Float64Array; entries of `optional` may also be null. All
 * arrays present must be of one class. Returns the dtype (float64 when no
 * array is present, which only happens for calls without float arguments).
 */
export function checkFloatArrays(kernel: string, required: Record<string, unknown>,
                                 optional: Record<string, unknown> = {}): DType {
  let firstName = '';
  let first: FloatArray | null = null;
  for (let pass = 0; pass < 2; pass++) {
    const nullable = pass === 1;
    const arrays = nullable ? optional : required;
    for (const name in arrays) {
      const value = arrays[name];
      if (nullable && value === null) continue;
      if (!isFloatArray(value)) {
        throw new TypeError(`${kernel}: ${name} must be a Float32Array or Float64Array${nullable ? ' or null' : ''}, ` +
                            `got ${describe(value)}`);
      }
      if (first === null) {
        first = value;
        firstName = name;
      } else if (first.constructor !== value.constructor) {
        throw new DTypeError(`${kernel}: all float arrays of one call must have the same dtype, ` +
                             `but ${firstName} is ${describe(first)} and ${name} is ${describe(value)}`);
      }
    }
  }
  return first === null ? 'float64' : dtypeOf(first);
}

/** An Int32Array argument (labels, argmax output); null allowed when `nullable`. */
export function checkInt32Array(kernel: string, name: string, value: unknown, nullable = false): void {
  if (nullable && value === null) return;
  if (!(value instanceof Int32Array)) {
    throw new TypeError(`${kernel}: ${name} must be an Int32Array${nullable ? ' or null' : ''}, got ${describe(value)}`);
  }
}

/**
 * array.length >= needed, else a ShapeError (RangeError) naming the argument,
 * both lengths and the sizes they come from, e.g.
 * "gemm: a has 12 elements, needs 15 (m=3, k=5, lda=5)".
 */
export function checkLength(kernel: string, name: string, array: ArrayLike<unknown>, needed: number,
                            detail: Detail): void {
  if (array.length < needed) {
    throw new ShapeError(`${kernel}: ${name} has ${array.length} elements, needs ${needed} (${detailText(detail)})`);
  }
}

/** Two arrays that must have exactly the same length (elementwise kernels without a shape). */
export function checkSameLength(kernel: string, name: string, array: ArrayLike<unknown>, otherName: string,
                                other: ArrayLike<unknown>): void {
  if (array.length !== other.length) {
    throw new ShapeError(`${kernel}: ${name} has ${array.length} elements but ${otherName} has ` +
                         `${other.length}; they must have the same length`);
  }
}

/**
 * A leading dimension (row stride) of a row-major matrix: at least the row
 * length. Zero is accepted only for rows of length zero.
 */
export function checkLeadingDim(kernel: string, name: string, value: unknown, rowLength: number,
                                detail: Detail): number {
  checkSize(kernel, name, value);
  if ((value as number) < rowLength) {
    throw new ShapeError(`${kernel}: ${name}=${value} is smaller than the row length ${rowLength} (${detailText(detail)})`);
  }
  return value as number;
}

/** Elements needed by a row-major rows×cols matrix with row stride ld. */
export function matrixExtent(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
}

/**
 * A shape (any rank, including 0-d: [] has one element). Returns the element
 * count.
 */
export function checkShape(kernel: string, name: string, shape: unknown): number {
  if (!Array.isArray(shape)) {
    throw new TypeError(`${kernel}: ${name} must be an array of sizes, got ${describe(shape)}`);
  }
  let count = 1;
  for (let d = 0; d < shape.length; d++) count *= checkSize(kernel, `${name}[${d}]`, shape[d]);
  if (!Number.isSafeInteger(count)) {
    throw new RangeError(`${kernel}: ${name} [${shape.join(', ')}] has more elements than a safe integer`);
  }
  return count;
}

/**
 * Element strides for reading an array through `shape`: as many as the
 * shape's dimensions, each a non-negative safe integer (0 broadcasts).
 * Returns the number of elements the strided view reaches:
 * 1 + Σ (shape[d] - 1)·strides[d], or 0 for an empty shape.
 */
export function checkStrides(kernel: string, name: string, strides: unknown,
                             shape: readonly number[], count: number): number {
  if (!Array.isArray(strides)) {
    throw new TypeError(`${kernel}: ${name} must be an array of strides, got ${describe(strides)}`);
  }
  if (strides.length !== shape.length) {
    throw new ShapeError(`${kernel}: ${name} has ${strides.length} entries but the shape ` +
                         `[${shape.join(', ')}] has ${shape.length} dimensions`);
  }
  let extent = 1;
  for (let d = 0; d < shape.length; d++) {
    extent += (shape[d] - 1) * checkSize(kernel, `${name}[${d}]`, strides[d]);
  }
  return count === 0 ? 0 : extent;
}
