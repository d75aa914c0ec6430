/**
 * A per-process cache of parsed data files, keyed by absolute path and
 * checked against the file's size and modification time, so loading the same
 * data set twice reads (and gunzips) it once, and a regenerated file is read
 * again. Cached bytes are shared: loaders copy out of them, never into them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Entry<T> {
  size: number;
  mtimeMs: number;
  value: T;
  bytes: number;
}

const entries = new Map<string, Entry<unknown>>();
let reads = 0;
let hits = 0;

/**
 * The cached value for `file` under `kind`, or `parse(file)` stored for next
 * time. `bytesOf` reports the memory the value holds (for dataCacheStats).
 */
export function cached<T>(kind: string, file: string, parse: (file: string) => T, bytesOf: (value: T) => number): T {
  const abs = path.resolve(file);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(abs);
  } catch {
    stat = undefined; // let parse() report the problem
  }
  const key = `${kind}\u0000${abs}`;
  const hit = entries.get(key) as Entry<T> | undefined;
  if (hit && stat && hit.size === stat.size && hit.mtimeMs === stat.mtimeMs) {
    hits++;
    return hit.value;
  }
  reads++;
  const value = parse(abs);
  if (stat) entries.set(key, { size: stat.size, mtimeMs: stat.mtimeMs, value, bytes: bytesOf(value) });
  return value;
}

/** Drops every cached file (frees the memory they hold). */
export function clearDataCache(): void {
  entries.clear();
}

/** Cache counters: files held, bytes held, files read (misses) and reuses (hits) so far. */
export function dataCacheStats(): { files: number; bytes: number; reads: number; hits: number } {
  let bytes = 0;
  for (const e of entries.values()) bytes += e.bytes;
  return { files: entries.size, bytes, reads, hits };
}
