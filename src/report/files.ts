/**
 * Files that are never half-written: every write goes to a temporary name in
 * the same folder, is flushed to disk (fsync) and then renamed over the
 * target, so a reader sees either the old content or the new, never a mix.
 */

import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Writes `data` to `file` atomically: temporary file in the same folder,
 * fsync, rename. The parent folder is created when missing. On any failure the
 * temporary file is removed and the error is rethrown; `file` is untouched.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx', 0o644);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let offset = 0;
    while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, file);
  } catch (err) {
    if (fd !== undefined) {
      try { fs.closeSync(fd); } catch { /* already failing */ }
    }
    try { fs.unlinkSync(temp); } catch { /* may not exist */ }
    throw err;
  }
  syncFolder(dir);
}

/** Makes a rename durable where the platform allows it (best effort). */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot open or fsync folders; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * JSON replacer: typed arrays become plain arrays, non-finite numbers become
 * the strings "NaN", "Infinity" and "-Infinity" (JSON has no literal for
 * them, and `null` would lose the fact that a loss diverged), bigints become
 * strings.
 */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? v.toString() : v));
  }
  return value;
}

/** Serialises a value as JSON the way {@link writeJson} writes it (2-space indent, trailing newline). */
export function toJsonText(value: unknown): string {
  return `${JSON.stringify(value, jsonReplacer, 2)}\n`;
}

/** Writes `value` as pretty-printed JSON, atomically. See {@link toJsonText} for non-JSON values. */
export function writeJson(file: string, value: unknown): void {
  writeFileAtomic(file, toJsonText(value));
}

/** One CSV field: numbers with full (round-trip) precision; text quoted when it holds a comma, quote or line break. */
export function csvField(value: string | number): string {
  const text = typeof value === 'number' ? String(value) : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV text (RFC 4180 quoting, `\n` line ends) for a header and rows of the same length. */
export function toCsvText(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const lines = [header.map(csvField).join(',')];
  rows.forEach((row, i) => {
    if (row.length !== header.length) {
      throw new RangeError(`CSV row ${i} has ${row.length} fields, expected ${header.length} (one per header column)`);
    }
    lines.push(row.map(csvField).join(','));
  });
  return `${lines.join('\n')}\n`;
}

/** Writes a CSV file atomically; every row must have one field per header column. */
export function writeCsv(file: string, header: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  writeFileAtomic(file, toCsvText(header, rows));
}
