/**
 * The backends a parity suite runs over: every native backend present here.
 * A missing backend is reported with its reason; GRADNODE_REQUIRE_NATIVE
 * (e.g. "cpu" on CI) makes its absence a failure instead.
 */
import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { availableBackends, backend, unavailableReason } from '../../src/backend';
import { addonDir } from '../../src/backend/addon';
import type { Backend, BackendName } from '../../src/backend/backend';
import { loadCpuBackend, type CpuBackendLoad } from '../../src/backend/cpu';

type CpuBackendLoaded = Extract<CpuBackendLoad, { ok: true }>;
const cpuLoad = loadCpuBackend();

const NATIVE: readonly BackendName[] = ['cpu', 'cuda'];

export interface Present { name: BackendName; backend: Backend }

export function nativeBackends(): { present: Present[]; missing: string[] } {
  const required = (process.env.GRADNODE_REQUIRE_NATIVE ?? '').split(',').filter(Boolean);
  const present: Present[] = [];
  const missing: string[] = [];
  for (const name of NATIVE) {
    const reason = unavailableReason(name);
    if (reason === null) {
      present.push({ name, backend: backend(name) });
    } else if (required.includes(name)) {
      throw new Error(`GRADNODE_REQUIRE_NATIVE asks for the ${name} backend, which is unavailable: ${reason}`);
    } else {
      missing.push(`${name}: ${reason}`);
    }
  }
  return { present, missing };
}

/**
 * An AVA test that needs the cpu addon. It skips (with the reason logged)
 * only when the addon was not built and GRADNODE_REQUIRE_NATIVE does not ask
 * for it; a built addon that fails to load is a failure.
 */
export function cpuAddonTest(title: string, body: (t: ExecutionContext, load: CpuBackendLoaded) => void): void {
  test(title, (t) => {
    if (!cpuLoad.ok) {
      const built = process.env.GRADNODE_NO_ADDON !== '1' && fs.existsSync(path.join(addonDir(), 'gradnode_cpu.node'));
      const required = (process.env.GRADNODE_REQUIRE_NATIVE ?? '').split(',').includes('cpu');
      if (built || required) {
        t.fail(`the cpu addon is ${built ? 'built but does not load' : 'required but missing'}: ${cpuLoad.reason}`);
      } else {
        t.log(`skipped, the cpu addon is not built: ${cpuLoad.reason}`);
        t.pass();
      }
      return;
    }
    body(t, cpuLoad);
  });
}

/**
 * The host backends (ts, cpu) a backend-generic test loops over: every one
 * available here. These tests read tensors through `.data`, which a device
 * backend refuses; cuda is covered by the parity suites (through uploads and
 * downloads) and test/backend/cuda_*.test.ts. A backend GRADNODE_REQUIRE_NATIVE
 * asks for must be available (so a failed addon build cannot make the cpu
 * cases vanish silently on CI).
 */
export function backendsUnderTest(): BackendName[] {
  nativeBackends(); // throws when a required native backend is missing
  return availableBackends().filter((name) => backend(name).memory === 'host');
}
