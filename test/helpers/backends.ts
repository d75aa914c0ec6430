/**
 * The backends a parity suite runs over: every native backend present here.
 * A missing backend is reported with its reason; GRADNODE_REQUIRE_NATIVE
 * (e.g. "cpu" on CI) makes its absence a failure instead.
 */
import { backend, unavailableReason } from '../../src/backend';
import type { Backend, BackendName } from '../../src/backend/backend';

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
