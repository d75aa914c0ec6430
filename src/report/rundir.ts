/**
 * The folder an experiment writes its results to. By default a fresh
 * `runs/<experiment>/<YYYYMMDD-HHMMSS>/` under the working directory (never
 * reused: a second run in the same second gets `-2`, `-3`, ...); with `--out`
 * a folder of the user's choosing, which must be absent or empty so that an
 * earlier run is never overwritten silently.
 */

import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../cli/flags';

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `YYYYMMDD-HHMMSS` in local time. */
export function runTimestamp(now: Date): string {
  return `${now.getFullYear()}${pad2(now.getMonth() + 1)}${pad2(now.getDate())}-`
    + `${pad2(now.getHours())}${pad2(now.getMinutes())}${pad2(now.getSeconds())}`;
}

function isNonEmptyFolder(dir: string): boolean {
  const handle = fs.opendirSync(dir);
  try {
    return handle.readSync() !== null;
  } finally {
    handle.closeSync();
  }
}

/**
 * Creates the run folder and returns its absolute path.
 *
 * - `out` absent: `runs/<experiment>/<YYYYMMDD-HHMMSS>` relative to the
 *   working directory, with `-2`, `-3`, ... appended when that name is taken
 *   (claimed with a non-recursive mkdir, so two runs starting in the same
 *   second still get different folders).
 * - `out` given: created when absent; accepted when it is an empty folder;
 *   otherwise a {@link UsageError} (exit code 2) with a one-line message.
 *
 * `cwd` (default `process.cwd()`) is what relative paths are resolved against.
 */
export function createRunDir(experiment: string, out?: string, now: Date = new Date(), cwd: string = process.cwd()): string {
  if (out !== undefined) return claimOut(out, cwd);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(experiment)) {
    throw new RangeError(`experiment name must be letters, digits, "-", "_" or ".", not "${experiment}"`);
  }
  const parent = path.resolve(cwd, 'runs', experiment);
  fs.mkdirSync(parent, { recursive: true });
  const stamp = runTimestamp(now);
  for (let n = 1; ; n++) {
    const dir = path.join(parent, n === 1 ? stamp : `${stamp}-${n}`);
    try {
      fs.mkdirSync(dir);
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

function claimOut(out: string, cwd: string): string {
  if (out.trim() === '') throw new UsageError('--out expects a folder name, not an empty string');
  const dir = path.resolve(cwd, out);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new UsageError(`--out ${out} cannot be created (${code ?? (err as Error).message}); choose another folder`);
  }
  if (stat === undefined) {
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new UsageError(`--out ${out} cannot be created (${reason}); choose another folder`);
    }
    return dir;
  }
  if (!stat.isDirectory()) {
    throw new UsageError(`--out ${out} already exists and is not a folder; choose another folder`);
  }
  if (isNonEmptyFolder(dir)) {
    throw new UsageError(`--out ${out} already exists and is not empty; choose another folder or remove it`);
  }
  return dir;
}
