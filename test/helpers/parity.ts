/**
 * Registers one AVA test per native backend present, each comparing that
 * backend with the TS reference; with none present, one test that says why.
 * Device backends (cuda) run through hostFacing (uploads and downloads
 * around every kernel). The cuda backend over the mock addon always runs
 * too: it checks that wrapping (and the cuda backend's argument passing) on
 * machines without a GPU, where the real cuda backend skips with its reason.
 */
import test, { type ExecutionContext } from 'ava';
import type { Backend, DType } from '../../src/backend/backend';
import { createCudaBackend } from '../../src/backend/cuda';
import { tsBackend } from '../../src/backend/ts';
import { Generator } from '../../src/random';
import { nativeBackends } from './backends';
import { hostFacing } from './device';
import { MockCudaAddon } from './mock_cuda';

export interface ParityContext {
  t: ExecutionContext;
  native: Backend;
  ref: Backend;
  dtype: DType;
  gen: Generator;
}

const DTYPES: readonly DType[] = ['float32', 'float64'];

/** One test per (native backend, dtype). The generator is seeded from the title, so runs repeat. */
export function parity(title: string, body: (c: ParityContext) => void): void {
  const { present, missing } = nativeBackends();
  if (missing.length > 0) {
    test(`${title}: native backends not here`, (t) => {
      t.log(`skipped: ${missing.join('; ')}`);
      t.pass();
    });
  }
  const contenders = [...present, { name: 'cuda over the mock addon', backend: createCudaBackend(new MockCudaAddon()) }];
  for (const { name, backend } of contenders) {
    for (const dtype of DTYPES) {
      test(`${title} [${name} vs ts, ${dtype}]`, (t) => {
        let seed = 17;
        for (const ch of title + dtype) seed = (seed * 31 + ch.charCodeAt(0)) % 1000003;
        body({ t, native: hostFacing(backend), ref: tsBackend, dtype, gen: new Generator(seed) });
      });
    }
  }
}

/** Relative tolerance for a result that sums `terms` float products. */
export function tolerance(dtype: DType, terms = 1): number {
  return dtype === 'float64' ? 1e-12 : 1e-5 * Math.max(1, Math.sqrt(terms / 16));
}
