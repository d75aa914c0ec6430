import test from 'ava';
import { backend } from '../../src/backend';
import { createCudaBackend } from '../../src/backend/cuda';
import { UsageError } from '../../src/cli/flags';
import { requireHostBackend } from '../../src/experiments/common';
import { MockCudaAddon } from '../helpers/mock_cuda';

test('host-only experiments refuse a device backend with a one-line usage error, and accept host ones', (t) => {
  const cuda = createCudaBackend(new MockCudaAddon());
  const err = t.throws(() => requireHostBackend('mlp', cuda, 'its manual implementation loops over host arrays'), { instanceOf: UsageError });
  t.is(err!.message, 'mlp runs on host backends (ts, cpu), not cuda: its manual implementation loops over host arrays');
  t.notThrows(() => requireHostBackend('mlp', backend('ts'), 'x'));
});
