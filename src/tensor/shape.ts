/** Shape arithmetic shared by Tensor and the layers: sizes, strides, broadcasting. */
import { ShapeError } from '../errors';

export type Shape = readonly number[];

export function shapeString(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Checks that every dimension is a non-negative safe integer; returns a copy. */
export function checkShape(shape: Shape, what = 'shape'): number[] {
  if (!Array.isArray(shape)) {
    throw new TypeError(`Expected ${what} to be an array of integers but received ${typeof shape}`);
  }
  const out = new Array<number>(shape.length);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new ShapeError(`Expected ${what} of non-negative integers but received ${shapeString(shape)}`);
    }
    out[i] = d;
  }
  return out;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Row-major element strides. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NumPy broadcasting: align from the right; each pair equal or one of them 1. */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`Shapes ${shapeString(a)} and ${shapeString(b)} cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read a contiguous tensor of `shape` as if it had `outShape` (0 on broadcast axes). */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const own = contiguousStrides(shape);
  const offset = outShape.length - shape.length;
  if (offset < 0) {
    throw new ShapeError(`Cannot broadcast ${shapeString(shape)} to ${shapeString(outShape)}`);
  }
  return outShape.map((d, i) => {
    const j = i - offset;
    if (j < 0) return 0;
    if (shape[j] === d) return shape[j] === 1 ? 0 : own[j];
    if (shape[j] === 1) return 0;
    throw new ShapeError(`Cannot broadcast ${shapeString(shape)} to ${shapeString(outShape)}`);
  });
}

/** A possibly negative axis into 0..ndim-1. */
export function normalizeAxis(axis: number, ndim: number): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= Math.max(ndim, 1)) {
    throw new RangeError(`Axis ${axis} is out of range for a tensor with ${ndim} dimensions`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Resolves one -1 in a reshape target against the element count. */
export function inferShape(shape: Shape, size: number): number[] {
  if (!shape.includes(-1)) {
    const known = checkShape(shape, 'reshape target');
    if (sizeOf(known) !== size) throw new ShapeError(`Cannot reshape ${size} elements into ${shapeString(shape)}`);
    return known;
  }
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1) throw new ShapeError(`Only one dimension can be -1 in ${shapeString(shape)}`);
  const known = checkShape(shape.map((d) => (d === -1 ? 1 : d)), 'reshape target');
  const knownSize = sizeOf(known);
  if (unknown === 1) {
    if (knownSize === 0 || size % knownSize !== 0) {
      throw new ShapeError(`Cannot reshape ${size} elements into ${shapeString(shape)}`);
    }
    return shape.map((d) => (d === -1 ? size / knownSize : d));
  }
  if (knownSize !== size) throw new ShapeError(`Cannot reshape ${size} elements into ${shapeString(shape)}`);
  return known;
}
