/**
 * Whole experiments on device storage, without a GPU: `cuda` is the cuda
 * backend over the mock addon (ts kernels behind opaque handles), so a run
 * with --backend cuda must give exactly the --backend ts numbers, and every
 * host-side read of device memory would throw.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { overrideBackendForTesting } from '../../src/backend';
import { createCudaBackend } from '../../src/backend/cuda';
import { denseRes } from '../../src/experiments/dense-res';
import { equivariantAe } from '../../src/experiments/equivariant-ae';
import { mlp } from '../../src/experiments/mlp';
import { runCli } from '../helpers/cli';
import { MockCudaAddon } from '../helpers/mock_cuda';

const commands = [denseRes, equivariantAe, mlp];

async function withMockCuda<T>(fn: (addon: MockCudaAddon) => Promise<T>): Promise<T> {
  const addon = new MockCudaAddon();
  overrideBackendForTesting('cuda', createCudaBackend(addon));
  try {
    return await fn(addon);
  } finally {
    overrideBackendForTesting('cuda', null);
  }
}

async function metricsOf(argv: string[]): Promise<Record<string, unknown>> {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-device-')), 'run');
  const { code, err } = await runCli(commands, [...argv, '--out', out]);
  if (code !== 0) throw new Error(`${argv.join(' ')} exited ${code}: ${err}`);
  return JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
}

test.serial('equivariant-ae --backend cuda gives the ts numbers for every model and rotation', async (t) => {
  const argv = ['equivariant-ae', '-e', '1', '-m', '256', '-n', '64', '--sides', '28,8,4', '--images', '4', '--batch-size', '64', '--seed', '3'];
  const want = await metricsOf([...argv, '--backend', 'ts']);
  const got = await withMockCuda(() => metricsOf([...argv, '--backend', 'cuda']));
  const pick = (m: Record<string, unknown>) => Object.fromEntries(Object.entries(m.models as Record<string, { rotations: unknown; symmetryError: number }>)
    .map(([k, v]) => [k, { rotations: v.rotations, symmetryError: v.symmetryError }]));
  t.is(got.backend, 'cuda');
  t.deepEqual(pick(got), pick(want));
  t.deepEqual((got.attention as { shownImages: unknown }).shownImages, (want.attention as { shownImages: unknown }).shownImages);
});

for (const impl of ['manual', 'autograd']) {
  test.serial(`dense-res --impl ${impl} --backend cuda gives the ts numbers`, async (t) => {
    const argv = ['dense-res', '--impl', impl, '--epochs', '1', '--hidden', '16', '--max-train', '512', '--max-test', '128', '--seed', '5'];
    const want = await metricsOf([...argv, '--backend', 'ts']);
    const got = await withMockCuda(async (addon) => {
      const m = await metricsOf([...argv, '--backend', 'cuda']);
      t.true(addon.uploads > 8, `${addon.uploads} uploads: the batches went to the device`);
      return m;
    });
    t.is(got.backend, 'cuda');
    t.deepEqual(got.final, want.final);
  });
}

test.serial('with a cuda backend present, host-only experiments default to a host backend and refuse an explicit cuda', async (t) => {
  await withMockCuda(async () => {
    const metrics = await metricsOf(['mlp', '-e', '2', '--shape', '784,10', '-m', '200', '-n', '50']);
    t.not(metrics.backend, 'cuda');
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-device-')), 'run');
    const { code, err } = await runCli(commands, ['mlp', '--backend', 'cuda', '--out', out]);
    t.is(code, 2);
    t.regex(err, /mlp runs on host backends \(ts, cpu\), not cuda/);
    t.false(fs.existsSync(out));
  });
});
