/**
 * Finds and loads a compiled native addon. The build writes it to
 * build/Release/; GRADNODE_ADDON_DIR points elsewhere, GRADNODE_NO_ADDON=1
 * refuses to load any (the package then runs on the pure-TS backend).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type AddonLoad<T> = { ok: true; addon: T; file: string } | { ok: false; reason: string };

/** The folder addons are loaded from (the same relative path from src/ and dist/). */
export function addonDir(): string {
  return process.env.GRADNODE_ADDON_DIR ?? path.resolve(__dirname, '..', '..', 'build', 'Release');
}

export function loadAddon<T>(fileName: string): AddonLoad<T> {
  if (process.env.GRADNODE_NO_ADDON === '1') {
    return { ok: false, reason: 'native addons are disabled by GRADNODE_NO_ADDON=1' };
  }
  const file = path.join(addonDir(), fileName);
  if (!fs.existsSync(file)) {
    return { ok: false, reason: `${file} was not built (run \`npm run build:addon\`)` };
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { ok: true, addon: require(file) as T, file };
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { ok: false, reason: `${file} failed to load: ${message}` };
  }
}
