/**
 * Tensor: a dense row-major array of float32 or float64 values with a shape,
 * living on one backend. Storage is a typed array owned by the garbage
 * collector (no dispose). Ops run through the backend's kernels; shape
 * logic (broadcasting, views, concatenation) lives here.
 */
import { backward as runBackward, record, type GradNode } from '../autograd/graph';
import { isGradEnabled } from '../autograd/mode';
import { backend as backendByName, getBackend } from '../backend';
import {
  allocate, isHostArray, storageDType,
  type Backend, type BackendName, type BinaryOp, type DType, type FloatArray, type ReduceOp, type Storage, type UnaryOp,
} from '../backend/backend';
import { DeviceMemoryError, DTypeError, ShapeError } from '../errors';
import { defaultGenerator, type Generator } from '../random';
import {
  broadcastShapes, broadcastStrides, checkShape, contiguousStrides, inferShape, normalizeAxis,
  sameShape, shapeString, sizeOf, type Shape,
} from './shape';

export type NestedArray = number | NestedArray[];

export interface TensorOptions {
  dtype?: DType;
  backend?: BackendName | Backend;
  /** Record operations on this tensor for backward() (a leaf of the graph). */
  requiresGrad?: boolean;
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

let defaultDType: DType = 'float32';

/** The dtype of tensors created without one (float32 unless changed). */
export function getDefaultDType(): DType {
  return defaultDType;
}

export function setDefaultDType(dtype: DType): void {
  defaultDType = checkDType(dtype);
}

function checkDType(dtype: unknown): DType {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new DTypeError(`Expected dtype 'float32' or 'float64' but received ${String(dtype)}`);
  }
  return dtype;
}

export { allocate };

export function dtypeOf(data: FloatArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

function resolveBackend(b: BackendName | Backend | undefined): Backend {
  if (b === undefined) return getBackend();
  return typeof b === 'string' ? backendByName(b) : b;
}

function resolveDType(dtype: DType | undefined): DType {
  return dtype === undefined ? defaultDType : checkDType(dtype);
}

function nestedShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0] as NestedArray;
    if (v === undefined) break;
  }
  return shape;
}

function flattenInto(values: NestedArray, shape: Shape, depth: number, out: number[]): void {
  if (depth === shape.length) {
    if (typeof values !== 'number') {
      throw new ShapeError(`Expected a number at depth ${depth} of a ragged nested array`);
    }
    out.push(values);
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[depth]) {
    throw new ShapeError(`Nested array is ragged: expected length ${shape[depth]} at depth ${depth}`);
  }
  for (const v of values) flattenInto(v, shape, depth + 1, out);
}

export class Tensor {
  /** The values in the backend's memory: a typed array on host backends (ts, cpu), a DeviceArray on cuda. */
  readonly storage: Storage;
  readonly shape: readonly number[];
  readonly backend: Backend;
  /** Whether ops on this tensor are recorded for reverse mode. */
  requiresGrad = false;
  /** The accumulated gradient after backward(): of a leaf, or of a non-leaf that called retainGrad(). */
  grad: Tensor | null = null;
  /** The op that produced this tensor, when it was recorded. */
  gradFn: GradNode | null = null;
  /** The forward-mode tangent carried by a dual tensor (see autograd.jvp). */
  tangent: Tensor | null = null;

  /**
   * Wraps storage (not copied) with a shape; prefer the factory functions. A
   * typed array given for a device backend is uploaded.
   */
  constructor(data: Storage, shape: Shape, backend?: Backend) {
    const be = backend ?? getBackend();
    if (isHostArray(data)) {
      this.storage = be.memory === 'device' ? be.fromHost(data) : data;
    } else if (be.memory === 'device' && typeof data === 'object' && data !== null && 'handle' in data) {
      this.storage = data;
    } else {
      throw new DTypeError(`Tensor data must be a Float32Array or a Float64Array${be.memory === 'device' ? ' or a DeviceArray' : ''}`);
    }
    this.shape = Object.freeze(checkShape(shape));
    if (sizeOf(this.shape) !== this.storage.length) {
      throw new ShapeError(`Shape ${shapeString(shape)} needs ${sizeOf(shape)} elements but the data has ${this.storage.length}`);
    }
    this.backend = be;
  }

  /**
   * The values as the typed array itself (no copy): host backends only. A
   * tensor on a device backend throws; read it with toArray(),
   * toTypedArray() or item(), or move it with to('cpu').
   */
  get data(): FloatArray {
    const s = this.storage;
    if (isHostArray(s)) return s;
    throw new DeviceMemoryError(`This tensor lives in ${this.backend.name} device memory: read it with toArray(), toTypedArray() or item(), or move it with .to('cpu')`);
  }

  get dtype(): DType { return storageDType(this.storage); }
  get size(): number { return this.storage.length; }
  get ndim(): number { return this.shape.length; }
  get strides(): number[] { return contiguousStrides(this.shape); }

  // ---- creation -------------------------------------------------------------

  /** From nested arrays, a flat array with a shape, a typed array or a number. */
  static from(values: NestedArray | ArrayLike<number>, options: TensorOptions & { shape?: Shape } = {}): Tensor {
    const dtype = resolveDType(options.dtype ?? (values instanceof Float64Array ? 'float64' : undefined));
    let flat: ArrayLike<number>;
    let shape: number[];
    if (typeof values === 'number') {
      flat = [values];
      shape = [];
    } else if (Array.isArray(values) && (values.length === 0 || Array.isArray(values[0]) || options.shape === undefined)) {
      shape = nestedShape(values as NestedArray);
      const out: number[] = [];
      flattenInto(values as NestedArray, shape, 0, out);
      flat = out;
    } else {
      flat = values as ArrayLike<number>;
      shape = [flat.length];
    }
    if (options.shape !== undefined) shape = inferShape(options.shape, flat.length);
    const data = allocate(dtype, flat.length);
    data.set(flat);
    return new Tensor(data, shape, resolveBackend(options.backend)).requiresGrad_(options.requiresGrad ?? false);
  }

  static full(shape: Shape, value: number, options: TensorOptions = {}): Tensor {
    const s = checkShape(shape);
    const be = resolveBackend(options.backend);
    const data = be.alloc(resolveDType(options.dtype), sizeOf(s));
    if (value !== 0) be.fill(data, value);
    return new Tensor(data, s, be).requiresGrad_(options.requiresGrad ?? false);
  }

  static zeros(shape: Shape, options: TensorOptions = {}): Tensor {
    return Tensor.full(shape, 0, options);
  }

  static ones(shape: Shape, options: TensorOptions = {}): Tensor {
    return Tensor.full(shape, 1, options);
  }

  static eye(n: number, options: TensorOptions = {}): Tensor {
    const data = allocate(resolveDType(options.dtype), n * n);
    for (let i = 0; i < n; i++) data[i * n + i] = 1;
    return Tensor.fromHost(data, [n, n], options);
  }

  /** Values start, start+step, ... below stop (like numpy.arange). */
  static arange(start: number, stop?: number, step = 1, options: TensorOptions = {}): Tensor {
    if (stop === undefined) [start, stop] = [0, start];
    if (step === 0 || !Number.isFinite(step)) throw new RangeError(`Expected a finite non-zero step but received ${step}`);
    const n = Math.max(0, Math.ceil((stop - start) / step));
    const data = allocate(resolveDType(options.dtype), n);
    for (let i = 0; i < n; i++) data[i] = start + i * step;
    return Tensor.fromHost(data, [n], options);
  }

  /** Uniform in [low, high) from the seeded generator. */
  static rand(shape: Shape, options: RandomOptions & { low?: number; high?: number } = {}): Tensor {
    const s = checkShape(shape);
    const data = allocate(resolveDType(options.dtype), sizeOf(s));
    (options.generator ?? defaultGenerator).fillUniform(data, options.low ?? 0, options.high ?? 1);
    return Tensor.fromHost(data, s, options);
  }

  /** Normal(mean, std) from the seeded generator. */
  static randn(shape: Shape, options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
    const s = checkShape(shape);
    const data = allocate(resolveDType(options.dtype), sizeOf(s));
    (options.generator ?? defaultGenerator).fillNormal(data, options.mean ?? 0, options.std ?? 1);
    return Tensor.fromHost(data, s, options);
  }

  /** Values computed on the host (uploaded to a device backend), with the options' backend and grad flag. */
  private static fromHost(data: FloatArray, shape: Shape, options: TensorOptions): Tensor {
    return new Tensor(data, shape, resolveBackend(options.backend)).requiresGrad_(options.requiresGrad ?? false);
  }

  /** Zeros (or ones) with this tensor's shape, dtype and backend. */
  zerosLike(): Tensor {
    return new Tensor(this.backend.alloc(this.dtype, this.size), this.shape, this.backend);
  }

  /** New zero-filled storage of this tensor's dtype and backend. */
  private alloc(length: number, dtype: DType = this.dtype): Storage {
    return this.backend.alloc(dtype, length);
  }

  onesLike(): Tensor {
    return this.zerosLike().fill_(1);
  }

  // ---- autograd -------------------------------------------------------------

  /** Marks a leaf tensor as requiring grad (or not); returns it. */
  requiresGrad_(flag = true): this {
    if (!flag && this.gradFn) throw new Error('requiresGrad_(false) on a tensor computed by recorded ops; use detach()');
    this.requiresGrad = flag;
    return this;
  }

  private retainGradFlag = false;

  /**
   * Makes backward() keep this non-leaf tensor's gradient in `.grad`
   * (accumulated over backward calls, as for leaves; PyTorch's
   * retain_grad()). A no-op on a leaf; throws on a tensor that does not
   * require grad. Returns the tensor.
   */
  retainGrad(): this {
    if (!this.requiresGrad) throw new Error("retainGrad: can't retain the gradient of a tensor that does not require grad (requiresGrad is false)");
    if (this.gradFn) this.retainGradFlag = true;
    return this;
  }

  /** Whether backward() stores this non-leaf tensor's gradient in `.grad` (false for leaves, as in PyTorch). */
  get retainsGrad(): boolean {
    return this.retainGradFlag;
  }

  /** The same values, cut from the graph (shares the data). */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.backend);
  }

  /** Accumulates the gradient of this tensor (a scalar, or with `gradient` given) into the leaves' `.grad`. */
  backward(gradient?: Tensor): void {
    runBackward(this, gradient);
  }

  // ---- conversion -----------------------------------------------------------

  /**
   * The same values on another backend: host backends share the array; to
   * or from a device backend the values are copied (the only way data moves
   * between a device and JS, with toArray / toTypedArray / item).
   */
  to(target: BackendName | Backend): Tensor {
    const b = resolveBackend(target);
    if (b === this.backend) return this;
    return record('reshape', [this], new Tensor(b.fromHost(this.backend.toHost(this.storage)), this.shape, b), {});
  }

  astype(dtype: DType): Tensor {
    if (checkDType(dtype) === this.dtype) return this;
    const data = this.alloc(this.size, dtype);
    this.backend.cast(this.storage, data);
    return record('astype', [this], new Tensor(data, this.shape, this.backend), {});
  }

  /** A copy (gradients flow through it). */
  clone(): Tensor {
    const data = this.alloc(this.size);
    this.backend.copy(this.storage, data);
    return record('reshape', [this], new Tensor(data, this.shape, this.backend), {});
  }

  /** Nested JS arrays (a number for a 0-d tensor). */
  toArray(): NestedArray {
    const values = this.backend.toHost(this.storage);
    const build = (depth: number, offset: number, stride: number): NestedArray => {
      if (depth === this.ndim) return values[offset];
      const inner = stride / this.shape[depth];
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[depth]; i++) out.push(build(depth + 1, offset + i * inner, inner));
      return out;
    };
    return build(0, 0, this.size);
  }

  /** A copy of the values as a flat typed array. */
  toTypedArray(): FloatArray {
    const values = this.backend.toHost(this.storage);
    return values === this.storage ? values.slice() : values;
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item() needs a tensor with one element, not shape ${shapeString(this.shape)}`);
    return this.backend.toHost(this.storage)[0];
  }

  // ---- shape ----------------------------------------------------------------

  /** Same data, new shape (one dimension may be -1). No copy. */
  reshape(...shape: number[] | [Shape]): Tensor {
    const target = Array.isArray(shape[0]) ? (shape[0] as Shape) : (shape as number[]);
    return record('reshape', [this], new Tensor(this.storage, inferShape(target, this.size), this.backend), {});
  }

  flatten(): Tensor {
    return this.reshape(this.size);
  }

  /** Reorders the axes (a copy). */
  permute(...axes: number[]): Tensor {
    if (axes.length !== this.ndim) {
      throw new ShapeError(`permute needs ${this.ndim} axes for shape ${shapeString(this.shape)} but received ${axes.length}`);
    }
    const perm = axes.map((a) => normalizeAxis(a, this.ndim));
    if (new Set(perm).size !== perm.length) throw new ShapeError(`permute axes repeat: [${axes.join(', ')}]`);
    const own = this.strides;
    const shape = perm.map((a) => this.shape[a]);
    const out = this.alloc(this.size);
    this.backend.copyStrided(shape, this.storage, perm.map((a) => own[a]), out);
    return record('permute', [this], new Tensor(out, shape, this.backend), { axes: perm });
  }

  /** Swaps two axes (default: the last two), as a copy. */
  transpose(axis0 = -2, axis1 = -1): Tensor {
    if (this.ndim < 2) return this;
    const axes = [...Array(this.ndim).keys()];
    const a = normalizeAxis(axis0, this.ndim);
    const b = normalizeAxis(axis1, this.ndim);
    [axes[a], axes[b]] = [axes[b], axes[a]];
    return this.permute(...axes);
  }

  /** The transpose of a matrix. */
  get T(): Tensor {
    return this.transpose();
  }

  /** Rows start..end-1 along the first axis: a view sharing the data. */
  sliceRows(start: number, end: number = this.shape[0]): Tensor {
    if (this.ndim === 0) throw new ShapeError('sliceRows needs at least one dimension');
    const rows = this.shape[0];
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > rows || start > end) {
      throw new RangeError(`Row slice ${start}:${end} is out of range for ${rows} rows`);
    }
    const rowSize = rows === 0 ? 0 : this.size / rows;
    const view = new Tensor(this.backend.view(this.storage, start * rowSize, (end - start) * rowSize), [end - start, ...this.shape.slice(1)], this.backend);
    return record('slice', [this], view, { axis: 0, start, end });
  }

  /** Indices start..end-1 along an axis (a view for axis 0, else a copy). */
  slice(axis: number, start: number, end?: number): Tensor {
    const ax = normalizeAxis(axis, this.ndim);
    const len = this.shape[ax];
    const stop = end ?? len;
    if (!Number.isInteger(start) || !Number.isInteger(stop) || start < 0 || stop > len || start > stop) {
      throw new RangeError(`Slice ${start}:${stop} is out of range for axis ${ax} of length ${len}`);
    }
    if (ax === 0) return this.sliceRows(start, stop);
    const strides = this.strides;
    const shape = [...this.shape];
    shape[ax] = stop - start;
    const out = this.alloc(sizeOf(shape));
    const offset = start * strides[ax];
    if (out.length > 0) this.backend.copyStrided(shape, this.backend.view(this.storage, offset, this.size - offset), strides, out);
    return record('slice', [this], new Tensor(out, shape, this.backend), { axis: ax, start, end: stop });
  }

  /** Joins tensors along an axis (columns of matrices with axis 1). */
  static concat(tensors: readonly Tensor[], axis = 0): Tensor {
    if (tensors.length === 0) throw new RangeError('concat needs at least one tensor');
    const first = tensors[0];
    const ax = normalizeAxis(axis, first.ndim);
    for (const t of tensors) {
      sameBackend(first, t, 'concat');
      if (t.dtype !== first.dtype) throw new DTypeError(`concat: mixed dtypes ${first.dtype} and ${t.dtype}`);
      if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
        throw new ShapeError(`concat along axis ${ax}: shape ${shapeString(t.shape)} does not match ${shapeString(first.shape)}`);
      }
    }
    const shape = [...first.shape];
    shape[ax] = tensors.reduce((s, t) => s + t.shape[ax], 0);
    const outer = sizeOf(first.shape.slice(0, ax));
    const inner = sizeOf(first.shape.slice(ax + 1));
    const outRow = shape[ax] * inner;
    const be = first.backend;
    const out = be.alloc(first.dtype, sizeOf(shape));
    let offset = 0;
    for (const t of tensors) {
      const chunk = t.shape[ax] * inner;
      if (chunk > 0 && outer > 0) be.copy2d(outer, chunk, t.storage, chunk, be.view(out, offset, out.length - offset), outRow);
      offset += chunk;
    }
    return record('concat', [...tensors], new Tensor(out, shape, first.backend), { axis: ax });
  }

  /** A copy with the given (broadcast-compatible) shape. */
  broadcastTo(shape: Shape): Tensor {
    const target = checkShape(shape);
    const out = this.alloc(sizeOf(target));
    this.backend.copyStrided(target, this.storage, broadcastStrides(this.shape, target), out);
    return record('broadcastTo', [this], new Tensor(out, target, this.backend), {});
  }

  /**
   * Elements picked by flat index, as numpy.take(x, index) on the flattened
   * tensor: out.flat[j] = this.flat[index[j]]. The result has `shape`
   * (default [index.length], whose size must be index.length). Indices may
   * repeat (their gradients add up); each must lie in [0, size). The index
   * array is kept by reference for backward, not copied (layers reuse one
   * index every step): do not change it before backward has run.
   */
  take(index: Int32Array, shape?: Shape): Tensor {
    if (!(index instanceof Int32Array)) {
      throw new TypeError(`take: index must be an Int32Array, got ${index === null ? 'null' : typeof index === 'object'
        ? (index as object).constructor?.name ?? 'an object' : typeof index}`);
    }
    const target = shape === undefined ? [index.length] : checkShape(shape, 'take shape');
    if (sizeOf(target) !== index.length) {
      throw new ShapeError(`take: shape ${shapeString(target)} has ${sizeOf(target)} elements but index has ${index.length}`);
    }
    // The backend's gather checks every index (a RangeError naming the position) before it writes.
    const out = this.alloc(index.length);
    this.backend.gather(this.storage, index, out);
    return record('take', [this], new Tensor(out, target, this.backend), { index });
  }

  // ---- matrix product -------------------------------------------------------

  /**
   * Matrix product with NumPy's rules for 1-D operands and batch dimensions
   * (equal, or one side a plain matrix). `transposeA/B` use the operand's
   * last two axes transposed without copying it.
   */
  matmul(other: Tensor, options: { transposeA?: boolean; transposeB?: boolean } = {}): Tensor {
    sameBackend(this, other, 'matmul');
    const [a, b] = promote(this, other);
    const ta = options.transposeA ?? false;
    const tb = options.transposeB ?? false;
    if (a.ndim === 0 || b.ndim === 0) throw new ShapeError('matmul needs tensors with at least one dimension');
    const a2 = a.ndim === 1 ? a.reshape(1, a.size) : a;
    const b2 = b.ndim === 1 ? b.reshape(b.size, 1) : b;
    const ar = a2.shape[a2.ndim - 2], ac = a2.shape[a2.ndim - 1];
    const br = b2.shape[b2.ndim - 2], bc = b2.shape[b2.ndim - 1];
    const m = ta ? ac : ar;
    const k = ta ? ar : ac;
    const kb = tb ? bc : br;
    const n = tb ? br : bc;
    if (k !== kb) {
      throw new ShapeError(`matmul: inner sizes differ: ${shapeString(this.shape)}${ta ? 'ᵀ' : ''} @ ${shapeString(other.shape)}${tb ? 'ᵀ' : ''}`);
    }
    const aBatch = a2.ndim > 2 ? a2.shape.slice(0, -2) : NO_DIMS;
    const bBatch = b2.ndim > 2 ? b2.shape.slice(0, -2) : NO_DIMS;
    if (aBatch.length > 0 && bBatch.length > 0 && !sameShape(aBatch, bBatch)) {
      throw new ShapeError(`matmul: batch shapes differ: ${shapeString(this.shape)} @ ${shapeString(other.shape)}`);
    }
    const batchShape = aBatch.length > 0 ? aBatch : bBatch;
    const batches = sizeOf(batchShape);
    const be = a.backend;
    const out = be.alloc(a.dtype, batches * m * n);
    const aStep = aBatch.length > 0 ? m * k : 0;
    const bStep = bBatch.length > 0 ? k * n : 0;
    const single = batches === 1;
    for (let i = 0; i < batches; i++) {
      be.gemm(ta, tb, m, n, k, 1,
        single ? a2.storage : be.view(a2.storage, i * aStep, m * k), ac,
        single ? b2.storage : be.view(b2.storage, i * bStep, k * n), bc,
        0, single ? out : be.view(out, i * m * n, m * n), n);
    }
    const product = record('matmul', [a2, b2], new Tensor(out, [...batchShape, m, n], a.backend), { transposeA: ta, transposeB: tb });
    if (this.ndim > 1 && other.ndim > 1) return product;
    let shape = [...batchShape, m, n];
    if (this.ndim === 1) shape = shape.filter((_, i) => i !== shape.length - 2);
    if (other.ndim === 1) shape = shape.slice(0, -1);
    return product.reshape(shape);
  }

  // ---- elementwise ----------------------------------------------------------

  private binary(op: BinaryOp, other: Tensor | number): Tensor {
    const rhs = typeof other === 'number' ? Tensor.scalarLike(this, other) : other;
    sameBackend(this, rhs, op);
    const [a, b] = promote(this, rhs);
    const shape = broadcastShapes(a.shape, b.shape);
    const out = a.alloc(sizeOf(shape));
    a.backend.binary(op, shape, a.storage, broadcastStrides(a.shape, shape), b.storage, broadcastStrides(b.shape, shape), out);
    const name = op === 'max' ? 'maximum' : op === 'min' ? 'minimum' : op;
    return record(name, [a, b], new Tensor(out, shape, a.backend), {});
  }

  /** In-place ops bypass the graph: refuse them where they would silently break gradients. */
  private checkInPlace(what: string): void {
    if (this.requiresGrad && isGradEnabled()) {
      throw new Error(`${what} on a tensor that requires grad would bypass autograd; wrap the update in noGrad()`);
    }
  }

  /** In-place `this = this op other`; other must broadcast to this tensor's shape. */
  private binaryInPlace(op: BinaryOp, other: Tensor | number): this {
    this.checkInPlace(`${op}_`);
    const rhs = typeof other === 'number' ? Tensor.scalarLike(this, other) : other;
    sameBackend(this, rhs, op);
    if (rhs.dtype !== this.dtype) throw new DTypeError(`In-place ${op}: ${rhs.dtype} into ${this.dtype}`);
    this.backend.binary(op, this.shape, this.storage, this.strides, rhs.storage, broadcastStrides(rhs.shape, this.shape), this.storage);
    return this;
  }

  /** A 0-d tensor of t's dtype and backend (filled in place: no host-to-device copy). */
  private static scalarLike(t: Tensor, value: number): Tensor {
    const data = t.backend.alloc(t.dtype, 1);
    t.backend.fill(data, value);
    return new Tensor(data, [], t.backend);
  }

  add(other: Tensor | number): Tensor { return this.binary('add', other); }
  sub(other: Tensor | number): Tensor { return this.binary('sub', other); }
  mul(other: Tensor | number): Tensor { return this.binary('mul', other); }
  div(other: Tensor | number): Tensor { return this.binary('div', other); }
  pow(other: Tensor | number): Tensor { return this.binary('pow', other); }
  maximum(other: Tensor | number): Tensor { return this.binary('max', other); }
  minimum(other: Tensor | number): Tensor { return this.binary('min', other); }

  add_(other: Tensor | number): this { return this.binaryInPlace('add', other); }
  sub_(other: Tensor | number): this { return this.binaryInPlace('sub', other); }
  mul_(other: Tensor | number): this { return this.binaryInPlace('mul', other); }
  div_(other: Tensor | number): this { return this.binaryInPlace('div', other); }

  /** this += alpha * other (same shape), the optimizer's update. */
  addScaled_(other: Tensor, alpha: number): this {
    this.checkInPlace('addScaled_');
    sameBackend(this, other, 'addScaled_');
    if (!sameShape(this.shape, other.shape)) {
      throw new ShapeError(`addScaled_: shapes ${shapeString(this.shape)} and ${shapeString(other.shape)} differ`);
    }
    if (other.dtype !== this.dtype) throw new DTypeError(`addScaled_: ${other.dtype} into ${this.dtype}`);
    this.backend.axpy(alpha, other.storage, this.storage);
    return this;
  }

  /** this *= alpha. */
  scale_(alpha: number): this {
    this.checkInPlace('scale_');
    this.backend.scale(alpha, this.storage, this.storage);
    return this;
  }

  fill_(value: number): this {
    this.checkInPlace('fill_');
    this.backend.fill(this.storage, value);
    return this;
  }

  /** Copies another tensor's values (same shape) into this one. */
  copy_(other: Tensor): this {
    this.checkInPlace('copy_');
    if (!sameShape(this.shape, other.shape)) {
      throw new ShapeError(`copy_: shapes ${shapeString(this.shape)} and ${shapeString(other.shape)} differ`);
    }
    // From another backend the values come through the host (shared arrays between host backends).
    const src = other.backend === this.backend ? other.storage : this.backend.fromHost(other.backend.toHost(other.storage));
    if (other.dtype === this.dtype) this.backend.copy(src, this.storage);
    else this.backend.cast(src, this.storage);
    return this;
  }

  private unary(op: UnaryOp): Tensor {
    const out = this.alloc(this.size);
    this.backend.unary(op, this.storage, out);
    return record(op as 'neg', [this], new Tensor(out, this.shape, this.backend), {});
  }

  neg(): Tensor { return this.unary('neg'); }
  abs(): Tensor { return this.unary('abs'); }
  sign(): Tensor { return this.unary('sign'); }
  exp(): Tensor { return this.unary('exp'); }
  log(): Tensor { return this.unary('log'); }
  /** log(1 + x), accurate for small x (as Math.log1p / torch.log1p). */
  log1p(): Tensor { return this.unary('log1p'); }
  sqrt(): Tensor { return this.unary('sqrt'); }
  square(): Tensor { return this.unary('square'); }
  reciprocal(): Tensor { return this.unary('reciprocal'); }
  tanh(): Tensor { return this.unary('tanh'); }
  sigmoid(): Tensor { return this.unary('sigmoid'); }
  relu(): Tensor { return this.unary('relu'); }

  /** this * alpha (a new tensor). */
  scale(alpha: number): Tensor {
    const out = this.alloc(this.size);
    this.backend.scale(alpha, this.storage, out);
    return record('scale', [this], new Tensor(out, this.shape, this.backend), { alpha });
  }

  // ---- reductions -----------------------------------------------------------

  private reduce(op: ReduceOp, axis: number | undefined, keepDims: boolean): Tensor {
    if (axis === undefined) {
      const out = this.alloc(1);
      this.backend.reduce(op, 1, this.size, 1, this.storage, out);
      return record(op, [this], new Tensor(out, keepDims ? this.shape.map(() => 1) : [], this.backend), { axis, keepDims });
    }
    const ax = normalizeAxis(axis, this.ndim);
    const outer = sizeOf(this.shape.slice(0, ax));
    const inner = sizeOf(this.shape.slice(ax + 1));
    const out = this.alloc(outer * inner);
    this.backend.reduce(op, outer, this.shape[ax], inner, this.storage, out);
    const shape = keepDims ? this.shape.map((d, i) => (i === ax ? 1 : d)) : this.shape.filter((_, i) => i !== ax);
    return record(op, [this], new Tensor(out, shape, this.backend), { axis, keepDims });
  }

  /** Sum of all elements, or along one axis. */
  sum(axis?: number, keepDims = false): Tensor { return this.reduce('sum', axis, keepDims); }
  max(axis?: number, keepDims = false): Tensor { return this.reduce('max', axis, keepDims); }
  min(axis?: number, keepDims = false): Tensor { return this.reduce('min', axis, keepDims); }

  mean(axis?: number, keepDims = false): Tensor {
    const count = axis === undefined ? this.size : this.shape[normalizeAxis(axis, this.ndim)];
    return this.sum(axis, keepDims).scale(1 / count);
  }

  /**
   * Index of the first maximum: of the flattened tensor (a number) without
   * an axis, else along the axis (an Int32Array laid out as the other axes).
   */
  argmax(): number;
  argmax(axis: number): Int32Array;
  argmax(axis?: number): number | Int32Array {
    if (this.size === 0) throw new ShapeError('argmax of an empty tensor');
    if (axis === undefined) {
      const out = new Int32Array(1);
      this.backend.argmax(1, this.size, 1, this.storage, out);
      return out[0];
    }
    const ax = normalizeAxis(axis, this.ndim);
    const outer = sizeOf(this.shape.slice(0, ax));
    const inner = sizeOf(this.shape.slice(ax + 1));
    const out = new Int32Array(outer * inner);
    this.backend.argmax(outer, this.shape[ax], inner, this.storage, out);
    return out;
  }

  // ---- printing -------------------------------------------------------------

  toString(): string {
    const fmt = (v: number) => (Number.isInteger(v) ? `${v}.` : v.toPrecision(4));
    const render = (x: NestedArray, depth: number): string => {
      if (typeof x === 'number') return fmt(x);
      const items = x.length > 8 ? [...x.slice(0, 3), '...', ...x.slice(-3)] : x;
      const parts = items.map((v) => (v === '...' ? '...' : render(v as NestedArray, depth + 1)));
      const sep = depth < this.ndim - 1 ? `,\n${' '.repeat(depth + 8)}` : ', ';
      return `[${parts.join(sep)}]`;
    };
    return `tensor(${render(this.toArray(), 0)}, dtype=${this.dtype}, backend=${this.backend.name})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

const NO_DIMS: readonly number[] = Object.freeze([]);

function sameBackend(a: Tensor, b: Tensor, op: string): void {
  if (a.backend !== b.backend) {
    throw new RangeError(`${op}: tensors are on different backends (${a.backend.name} and ${b.backend.name}); move one with .to()`);
  }
}

/** Mixed float32/float64 operands compute in float64 (NumPy and PyTorch promote the same way). */
function promote(a: Tensor, b: Tensor): [Tensor, Tensor] {
  if (a.dtype === b.dtype) return [a, b];
  return [a.astype('float64'), b.astype('float64')];
}
