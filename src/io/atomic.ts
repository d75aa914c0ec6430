/**
 * Atomic file writes: the data goes to a temporary file in the target's
 * folder, is flushed to disk (fsync), and is then renamed over the target.
 * Readers see either the old file or the complete new one, never a partial
 * write; on any failure the temporary file is removed and the old file is
 * left as it was.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What `writeFileAtomic` accepts: a string (UTF-8), bytes, or a sequence of byte chunks. */
export type AtomicData = string | Uint8Array | Iterable<Uint8Array>;

/** The temporary name used for a write to `file` (same folder, so rename is atomic). */
export function temporaryName(file: string): string {
  return `${file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) {
    offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
  }
}

/**
 * Writes `data` to `file` atomically (synchronously). Chunks given as an
 * iterable are written one after another, so a large file need not be
 * assembled in memory first; if the iterable throws, nothing is replaced.
 */
export function writeFileAtomic(file: string, data: AtomicData): void {
  if (typeof file !== 'string' || file.length === 0) {
    throw new TypeError(`Expected a file path but received ${String(file)}`);
  }
  const temp = temporaryName(file);
  let fd: number | null = fs.openSync(temp, 'wx', 0o644);
  try {
    if (typeof data === 'string') {
      writeAll(fd, Buffer.from(data, 'utf8'));
    } else if (data instanceof Uint8Array) {
      writeAll(fd, data);
    } else if (data != null && typeof (data as Iterable<Uint8Array>)[Symbol.iterator] === 'function') {
      for (const chunk of data) {
        if (!(chunk instanceof Uint8Array)) {
          throw new TypeError(`Expected Uint8Array chunks for ${file} but received ${typeof chunk}`);
        }
        writeAll(fd, chunk);
      }
    } else {
      throw new TypeError(`Expected a string, a Uint8Array or Uint8Array chunks for ${file}`);
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(temp, file);
  } catch (error) {
    if (fd !== null) {
      try { fs.closeSync(fd); } catch { /* already failing */ }
    }
    try { fs.unlinkSync(temp); } catch { /* not created or already gone */ }
    throw error;
  }
  syncFolder(path.dirname(file));
}

/** Best effort: flush the folder entry so the rename survives a crash. */
function syncFolder(folder: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(folder, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on folders; the rename itself is still atomic.
  } finally {
    if (fd !== null) {
      try { fs.closeSync(fd); } catch { /* ignore */ }
    }
  }
}
