/**
 * Checkpoints as safetensors files (https://github.com/huggingface/safetensors):
 *
 *   [8 bytes]  N, the header size, unsigned 64-bit little-endian
 *   [N bytes]  UTF-8 JSON: { "<name>": { "dtype": "F32" | "F64", "shape": [...],
 *              "data_offsets": [begin, end] }, ..., "__metadata__": { "k": "v" } },
 *              padded with spaces so that N is a multiple of 8
 *   [rest]     the tensors' bytes, little-endian, row-major; offsets are
 *              relative to the start of this buffer
 *
 * Files are written with the tensors ordered as Python's `safetensors` does:
 * wider dtypes first (F64 before F32), then by name (byte order of the UTF-8
 * names), so each tensor's data is aligned to its element size; their data is
 * contiguous with no gaps, and written atomically. Files from other writers
 * load as long as they hold F32/F64 tensors only. Everything read is
 * validated; any problem is a one-line CheckpointError naming the file and
 * the tensor.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { backend as backendByName } from '../backend';
import type { Backend, BackendName, DType, FloatArray } from '../backend';
import { Tensor } from '../tensor';
import { writeFileAtomic } from './atomic';
import { CheckpointError } from './errors';

/** safetensors dtype names of the dtypes gradnode stores. */
const DTYPE_TO_SAFETENSORS: Record<DType, 'F32' | 'F64'> = { float32: 'F32', float64: 'F64' };
const SAFETENSORS_TO_DTYPE: Record<string, DType> = { F32: 'float32', F64: 'float64' };
const BYTES_PER_ELEMENT: Record<DType, number> = { float32: 4, float64: 8 };

/** dtypes the format defines that gradnode cannot hold as a Tensor. */
const OTHER_SAFETENSORS_DTYPES = new Set([
  'BOOL', 'U8', 'I8', 'U16', 'I16', 'F16', 'BF16', 'U32', 'I32', 'U64', 'I64',
  'F8_E4M3', 'F8_E5M2', 'F8_E8M0', 'F4', 'F6_E2M3', 'F6_E3M2', 'C64',
]);

const METADATA_KEY = '__metadata__';
/** Refuse headers larger than this (the reference implementation's limit is 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;
const LITTLE_ENDIAN = os.endianness() === 'LE';

export interface LoadOptions {
  /** The backend the loaded tensors live on (default: the current backend). */
  backend?: BackendName | Backend;
}

export interface LoadedCheckpoint {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

interface HeaderEntry {
  dtype: 'F32' | 'F64';
  shape: number[];
  data_offsets: [number, number];
}

function utf8Compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The little-endian bytes of a typed array (a view on little-endian hosts). */
function littleEndianBytes(data: FloatArray): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  if (data instanceof Float64Array) {
    for (let i = 0; i < data.length; i++) view.setFloat64(i * 8, data[i], true);
  } else {
    for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  }
  return out;
}

function isTensor(value: unknown): value is Tensor {
  return value instanceof Tensor
    || (typeof value === 'object' && value !== null
      && (value as Tensor).storage !== undefined && typeof (value as Tensor).dtype === 'string'
      && Array.isArray((value as Tensor).shape));
}

/**
 * The complete file contents as chunks: the 8-byte size, the padded header,
 * then each tensor's bytes (views, not copies). Throws CheckpointError for
 * anything that cannot be written, before any byte is produced.
 */
export function serializeSafetensors(
  tensors: Record<string, Tensor>, metadata?: Record<string, string>, file = '<memory>',
): Uint8Array[] {
  if (typeof tensors !== 'object' || tensors === null) {
    throw new CheckpointError(`Cannot write ${file}: expected an object of named tensors but received ${String(tensors)}`);
  }
  // Wider dtypes first, then by name (as the safetensors package writes them): with the header padded to
  // 8 bytes, every tensor's data then starts aligned to its element size, so readers can map it in place.
  const width = (name: string) => (tensors[name]?.dtype === 'float64' ? 8 : 4);
  const names = Object.keys(tensors).sort((a, b) => width(b) - width(a) || utf8Compare(a, b));
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      throw new CheckpointError(`Cannot write ${file}: metadata must be an object of strings`);
    }
    const meta: Record<string, string> = {};
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') {
        throw new CheckpointError(`Cannot write ${file}: metadata value for "${k}" must be a string but is ${typeof v}`);
      }
      meta[k] = v;
    }
    if (Object.keys(meta).length > 0) header[METADATA_KEY] = meta;
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    if (name.length === 0) throw new CheckpointError(`Cannot write ${file}: a tensor has an empty name`);
    if (name === METADATA_KEY) throw new CheckpointError(`Cannot write ${file}: "${METADATA_KEY}" is reserved and cannot name a tensor`);
    const t = tensors[name];
    if (!isTensor(t)) {
      throw new CheckpointError(`Cannot write ${file}: tensor "${name}" is not a float32/float64 Tensor (received ${t === null ? 'null' : typeof t})`);
    }
    const values = t.backend.toHost(t.storage);  // a download for device tensors
    const dtype: DType = values instanceof Float64Array ? 'float64' : 'float32';
    const shape = [...t.shape];
    let size = 1;
    for (const d of shape) size *= d;
    if (size !== values.length) {
      throw new CheckpointError(`Cannot write ${file}: tensor "${name}" has shape [${shape.join(', ')}] but ${values.length} values`);
    }
    const bytes = littleEndianBytes(values);
    header[name] = { dtype: DTYPE_TO_SAFETENSORS[dtype], shape, data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
    chunks.push(bytes);
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(json.length));
  return [size, json, ...chunks];
}

/**
 * Writes named tensors (and optional string metadata) to a safetensors file,
 * atomically: an interrupted or failed save leaves any earlier file intact.
 */
export function saveSafetensors(file: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): void {
  const chunks = serializeSafetensors(tensors, metadata, file);
  writeFileAtomic(file, chunks);
}

function fail(file: string, message: string): never {
  throw new CheckpointError(`${file}: ${message}`);
}

function isNonNegativeInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Parses and validates a safetensors file held in memory. */
export function parseSafetensors(bytes: Uint8Array, file = '<memory>', options: LoadOptions = {}): LoadedCheckpoint {
  const target = options.backend === undefined ? undefined
    : typeof options.backend === 'string' ? backendByName(options.backend) : options.backend;
  if (bytes.length < 8) {
    fail(file, `file too short (${bytes.length} bytes): a safetensors file starts with an 8-byte header size`);
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = buf.readBigUInt64LE(0);
  if (headerSize > BigInt(bytes.length - 8)) {
    fail(file, `header size ${headerSize} is beyond the end of the file (${bytes.length - 8} bytes follow the size field)`);
  }
  const n = Number(headerSize);
  if (n > MAX_HEADER_BYTES) fail(file, `header size ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail(file, 'header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    fail(file, `header is not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    fail(file, 'header JSON is not an object');
  }
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;

  const metadata: Record<string, string> = {};
  const entries: [string, HeaderEntry][] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (raw === null) continue;
      if (typeof raw !== 'object' || Array.isArray(raw)) fail(file, `${METADATA_KEY} must be an object of strings`);
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(file, `${METADATA_KEY} value for "${k}" is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      fail(file, `tensor "${name}" has no {dtype, shape, data_offsets} entry`);
    }
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (typeof dtype !== 'string') fail(file, `tensor "${name}" has no dtype`);
    if (!(dtype in SAFETENSORS_TO_DTYPE)) {
      if (OTHER_SAFETENSORS_DTYPES.has(dtype)) {
        fail(file, `tensor "${name}" has unsupported dtype ${dtype} (gradnode reads F32 and F64 only; convert it to float32 first)`);
      }
      fail(file, `tensor "${name}" has unknown dtype "${dtype}" (gradnode reads F32 and F64)`);
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
      fail(file, `tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger)) {
      fail(file, `tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end) fail(file, `tensor "${name}" has data_offsets [${begin}, ${end}] that end before they begin`);
    if (end > dataLength) {
      fail(file, `tensor "${name}" has data_offsets [${begin}, ${end}] beyond the ${dataLength}-byte data buffer`);
    }
    let elements = 1;
    for (const d of shape as number[]) elements *= d;
    const expected = elements * BYTES_PER_ELEMENT[SAFETENSORS_TO_DTYPE[dtype]];
    if (end - begin !== expected) {
      fail(file, `tensor "${name}" of shape [${(shape as number[]).join(', ')}] and dtype ${dtype} needs ${expected} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    }
    entries.push([name, { dtype: dtype as 'F32' | 'F64', shape: shape as number[], data_offsets: [begin, end] }]);
  }

  // The data must be covered exactly: no overlaps, no gaps, nothing trailing.
  const byOffset = [...entries].sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]
    || a[1].data_offsets[1] - b[1].data_offsets[1]);
  let covered = 0;
  let previous = '';
  for (const [name, e] of byOffset) {
    const [begin, end] = e.data_offsets;
    if (begin < covered) {
      fail(file, `tensor "${name}" data_offsets [${begin}, ${end}] overlap tensor "${previous}" (which ends at ${covered})`);
    }
    if (begin > covered) {
      fail(file, `tensor "${name}" data_offsets [${begin}, ${end}] leave a gap after byte ${covered} of the data buffer`);
    }
    covered = end;
    previous = name;
  }
  if (covered !== dataLength) {
    fail(file, `data buffer has ${dataLength} bytes but the tensors cover ${covered} (truncated or trailing bytes)`);
  }

  const tensors: Record<string, Tensor> = {};
  for (const [name, e] of entries) {
    const dtype = SAFETENSORS_TO_DTYPE[e.dtype];
    const [begin, end] = e.data_offsets;
    // Copy into fresh, aligned storage (the file's offsets need not be aligned).
    const raw = new Uint8Array(end - begin);
    raw.set(bytes.subarray(dataStart + begin, dataStart + end));
    let data: FloatArray;
    if (LITTLE_ENDIAN) {
      data = dtype === 'float64' ? new Float64Array(raw.buffer) : new Float32Array(raw.buffer);
    } else {
      const view = new DataView(raw.buffer);
      data = dtype === 'float64' ? new Float64Array(raw.length / 8) : new Float32Array(raw.length / 4);
      const step = BYTES_PER_ELEMENT[dtype];
      for (let i = 0; i < data.length; i++) {
        data[i] = step === 8 ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true);
      }
    }
    tensors[name] = new Tensor(data, e.shape, target);
  }
  return { tensors, metadata };
}

/** Reads a safetensors file; every structural problem is a CheckpointError. */
export function loadSafetensors(file: string, options: LoadOptions = {}): LoadedCheckpoint {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CheckpointError(`${file}: checkpoint file not found`);
    if (code === 'EISDIR') throw new CheckpointError(`${file}: is a folder, not a checkpoint file`);
    throw new CheckpointError(`${file}: cannot read checkpoint (${(error as Error).message.split('\n')[0]})`);
  }
  return parseSafetensors(bytes, file, options);
}

export interface LoadIntoOptions {
  /**
   * When true (the default), names in the model but not in the file, or in
   * the file but not in the model, are errors. When false they are reported
   * in the result and skipped. Shape and dtype mismatches are always errors.
   */
  strict?: boolean;
}

export interface LoadIntoResult {
  metadata: Record<string, string>;
  /** Names in `target` that the file does not hold (only with strict: false). */
  missing: string[];
  /** Names in the file that `target` does not hold (only with strict: false). */
  unexpected: string[];
}

/**
 * Copies a checkpoint's values into existing tensors (in place, like
 * PyTorch's load_state_dict). Nothing is copied unless everything matches.
 */
export function loadInto(target: Record<string, Tensor>, file: string, options: LoadIntoOptions = {}): LoadIntoResult {
  const strict = options.strict ?? true;
  const { tensors, metadata } = loadSafetensors(file, { backend: 'ts' });
  const missing = Object.keys(target).filter((k) => !(k in tensors)).sort();
  const unexpected = Object.keys(tensors).filter((k) => !(k in target)).sort();
  const problems: string[] = [];
  if (strict && missing.length > 0) problems.push(`missing from the file: ${missing.join(', ')}`);
  if (strict && unexpected.length > 0) problems.push(`unexpected in the file: ${unexpected.join(', ')}`);
  for (const name of Object.keys(target).sort()) {
    const have = target[name];
    const got = tensors[name];
    if (got === undefined) continue;
    if (!isTensor(have)) {
      problems.push(`target "${name}" is not a Tensor`);
      continue;
    }
    const haveDType: DType = have.dtype;
    if (have.shape.length !== got.shape.length || have.shape.some((d, i) => d !== got.shape[i])) {
      problems.push(`shape mismatch for ${name} (model [${have.shape.join(', ')}], file [${got.shape.join(', ')}])`);
    } else if (haveDType !== got.dtype) {
      problems.push(`dtype mismatch for ${name} (model ${haveDType}, file ${got.dtype})`);
    }
  }
  if (problems.length > 0) {
    throw new CheckpointError(`${file} does not match the target: ${problems.join('; ')}`);
  }
  for (const name of Object.keys(target)) {
    const got = tensors[name];
    if (got !== undefined) {
      const t = target[name];
      t.backend.copy(t.backend.fromHost(got.backend.toHost(got.storage)), t.storage);
    }
  }
  return { metadata, missing: strict ? [] : missing, unexpected: strict ? [] : unexpected };
}
