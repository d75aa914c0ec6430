import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ExecutionContext } from 'ava';

/** A fresh temporary folder, removed when the test ends. */
export function tempDir(t: ExecutionContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-report-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
