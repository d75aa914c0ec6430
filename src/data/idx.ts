/**
 * The IDX file format of MNIST and Fashion-MNIST, raw or gzip-compressed:
 *
 *   byte 0-1  0x00 0x00
 *   byte 2    element type (0x08 unsigned byte; 0x09 signed byte, 0x0B short,
 *             0x0C int, 0x0D float, 0x0E double are defined but not read here)
 *   byte 3    number of dimensions (1..4 here)
 *   then      one big-endian unsigned 32-bit size per dimension
 *   then      the elements, row-major
 *
 * A file is gunzipped when its name ends in `.gz` or its bytes start with the
 * gzip magic 1f 8b.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { writeFileAtomic } from '../io/atomic';
import { cached } from './cache';
import { DataError } from './errors';

export interface IdxFile {
  /** The size of each dimension, e.g. [60000, 28, 28]. */
  dims: number[];
  /** The elements, row-major (a view on the file's bytes). */
  data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte', 0x09: 'signed byte', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64',
};

const MAX_DIMS = 4;

function hex(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0];
}

function isGzip(file: string, bytes: Uint8Array): boolean {
  return file.endsWith('.gz') || (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b);
}

/** Reads the raw file, mapping file-system failures to one-line DataErrors. */
function readBytes(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(`IDX file not found: ${file}`);
    if (code === 'EISDIR') throw new DataError(`Expected an IDX file but ${file} is a folder`);
    throw new DataError(`Cannot read IDX file ${file}: ${firstLine(error)}`);
  }
}

/** Parses IDX bytes (already gunzipped); `file` is used in messages. */
export function parseIdx(bytes: Uint8Array, file = '<memory>'): IdxFile {
  if (bytes.length < 4) {
    throw new DataError(`${file} is not an IDX file: ${bytes.length} bytes is shorter than the 4-byte magic number`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError(`${file} is not an IDX file: the magic number starts ${hex(bytes[0])} ${hex(bytes[1])} instead of 0x00 0x00`);
  }
  const type = bytes[2];
  if (type !== 0x08) {
    const what = TYPE_NAMES[type] ? `element type ${hex(type)} (${TYPE_NAMES[type]})` : `unknown element type ${hex(type)}`;
    throw new DataError(`${file}: unsupported IDX ${what}; only 0x08 (unsigned byte) image and label files are read`);
  }
  const ndim = bytes[3];
  if (ndim < 1 || ndim > MAX_DIMS) {
    throw new DataError(`${file}: IDX header declares ${ndim} dimensions; expected 1 to ${MAX_DIMS}`);
  }
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) {
    throw new DataError(`${file}: truncated IDX header: expected ${headerBytes} header bytes but the file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let expected = 1;
  for (let i = 0; i < ndim; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    expected *= d;
  }
  const actual = bytes.length - headerBytes;
  if (actual !== expected) {
    const why = actual < expected ? 'truncated' : 'trailing bytes';
    throw new DataError(
      `${file}: IDX dims [${dims.join(', ')}] need ${expected} data bytes but the file has ${actual} (${why})`,
    );
  }
  // A plain Uint8Array view (not a Buffer), so callers compare and copy it like any typed array.
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, expected) };
}

/** Reads an IDX file of unsigned bytes, raw or `.gz`. Throws DataError on any problem. */
export function readIdx(file: string): IdxFile {
  let bytes: Uint8Array = readBytes(file);
  if (isGzip(file, bytes)) {
    try {
      bytes = zlib.gunzipSync(bytes);
    } catch (error) {
      throw new DataError(`${file}: cannot gunzip (${firstLine(error)}); the file is damaged or not gzip`);
    }
  }
  return parseIdx(bytes, file);
}

/**
 * readIdx with the per-process cache: the same file (same path, size and
 * modification time) is parsed once. The returned bytes are shared; do not
 * modify them.
 */
export function readIdxCached(file: string): IdxFile {
  return cached('idx', file, readIdx, (v) => v.data.byteLength);
}

/** The bytes of an unsigned-byte IDX file with these dims and data. */
export function encodeIdx(dims: readonly number[], data: ArrayLike<number>): Uint8Array {
  if (!Array.isArray(dims) || dims.length < 1 || dims.length > MAX_DIMS) {
    throw new RangeError(`Expected 1 to ${MAX_DIMS} IDX dimensions but received [${String(dims)}]`);
  }
  let size = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) {
      throw new RangeError(`Expected IDX dimensions to be integers in 0..2^32-1 but received [${dims.join(', ')}]`);
    }
    size *= d;
  }
  if (data.length !== size) {
    throw new RangeError(`IDX dims [${dims.join(', ')}] need ${size} values but received ${data.length}`);
  }
  const headerBytes = 4 + 4 * dims.length;
  const out = new Uint8Array(headerBytes + size);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < size; i++) {
    const v = data[i];
    if (!Number.isInteger(v) || v < 0 || v > 255) {
      throw new RangeError(`IDX unsigned-byte values must be integers in 0..255 but value ${i} is ${v}`);
    }
    out[headerBytes + i] = v;
  }
  return out;
}

/** Writes an unsigned-byte IDX file atomically; gzip-compressed when the name ends in `.gz`. */
export function writeIdx(file: string, dims: readonly number[], data: ArrayLike<number>): void {
  let bytes = encodeIdx(dims, data);
  if (file.endsWith('.gz')) bytes = zlib.gzipSync(bytes);
  writeFileAtomic(file, bytes);
}
