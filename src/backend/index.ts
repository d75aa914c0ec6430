/**
 * Backend choice. `ts` is always there; `cpu` when the native addon loads.
 * The default is the fastest available, overridable with GRADNODE_BACKEND or
 * setBackend(); asking for an absent backend throws BackendUnavailableError
 * with the reason.
 */
import { BackendUnavailableError } from '../errors';
import type { Backend, BackendName } from './backend';
import { loadCpuBackend } from './cpu';
import { loadCudaBackend } from './cuda';
import { tsBackend } from './ts';

export type { Backend, BackendName, DType, FloatArray } from './backend';

export const BACKEND_NAMES: readonly BackendName[] = ['ts', 'cpu', 'cuda'];

type Probe = { ok: true; backend: Backend } | { ok: false; reason: string };

const probes = new Map<BackendName, Probe>();

function probe(name: BackendName): Probe {
  let result = probes.get(name);
  if (result) return result;
  switch (name) {
    case 'ts':
      result = { ok: true, backend: tsBackend };
      break;
    case 'cpu': {
      const loaded = loadCpuBackend();
      result = loaded.ok ? { ok: true, backend: loaded.backend } : { ok: false, reason: loaded.reason };
      break;
    }
    case 'cuda': {
      // symEig / svd / solve / lstsq run on the host: through LAPACK when the cpu addon is there.
      const cpu = probe('cpu');
      const loaded = loadCudaBackend(cpu.ok ? cpu.backend : tsBackend);
      result = loaded.ok ? { ok: true, backend: loaded.backend } : { ok: false, reason: loaded.reason };
      break;
    }
  }
  probes.set(name, result);
  return result;
}

function checkName(name: string): BackendName {
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(`Unknown backend "${name}": expected one of ${BACKEND_NAMES.join(', ')}`);
  }
  return name as BackendName;
}

/**
 * Replaces the backend a name resolves to (null restores the real probe).
 * For tests: e.g. `cuda` over a mock addon, to run whole experiments on
 * device storage without a GPU.
 */
export function overrideBackendForTesting(name: BackendName, be: Backend | null): void {
  if (be) probes.set(checkName(name), { ok: true, backend: be });
  else probes.delete(checkName(name));
}

/** Whether a backend can be used here. */
export function isAvailable(name: BackendName): boolean {
  return probe(checkName(name)).ok;
}

/** Why a backend is unavailable, or null when it is available. */
export function unavailableReason(name: BackendName): string | null {
  const p = probe(checkName(name));
  return p.ok ? null : p.reason;
}

/** The backends that can be used here, fastest first. */
export function availableBackends(): BackendName[] {
  return (['cuda', 'cpu', 'ts'] as const).filter((n) => probe(n).ok);
}

/** A backend by name; throws BackendUnavailableError when it is absent. */
export function backend(name: BackendName | string): Backend {
  const p = probe(checkName(name));
  if (!p.ok) throw new BackendUnavailableError(`Backend "${name}" is not available: ${p.reason}`);
  return p.backend;
}

let current: Backend | null = null;
let warned = false;

/**
 * The backend new tensors are created on: setBackend()'s choice, else
 * GRADNODE_BACKEND, else the fastest available (warning once on stderr when
 * that falls back to ts because the native addon is missing).
 */
export function getBackend(): Backend {
  if (current) return current;
  const requested = process.env.GRADNODE_BACKEND;
  if (requested) {
    current = backend(requested);
    return current;
  }
  const cpu = probe('cpu');
  if (cpu.ok) {
    current = cpu.backend;
  } else {
    if (!warned && process.env.GRADNODE_QUIET !== '1') {
      process.stderr.write(`gradnode: using the pure-TS backend because ${cpu.reason}\n`);
      warned = true;
    }
    current = tsBackend;
  }
  return current;
}

/** Sets the default backend for new tensors; returns it. */
export function setBackend(name: BackendName | string): Backend {
  current = backend(name);
  return current;
}
