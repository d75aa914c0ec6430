import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { backend, isAvailable, unavailableReason } from '../../src/backend';
import { BackendUnavailableError } from '../../src/errors';

const root = path.resolve(__dirname, '..', '..');

/** Runs a snippet against the package sources in a fresh Node process. */
function runSnippet(code: string, env: Record<string, string>) {
  return spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', code], {
    cwd: root, encoding: 'utf8', env: { ...process.env, GRADNODE_REQUIRE_NATIVE: '', ...env },
  });
}

const SNIPPET = `
  const { Tensor, getBackend } = require('./src');
  const a = Tensor.from([[1, 2], [3, 4]]);
  console.log(getBackend().name, JSON.stringify(a.matmul(a).toArray()));
`;

test('asking for an absent backend throws BackendUnavailableError naming the reason', (t) => {
  if (isAvailable('cuda')) {
    // A GPU (or the CUDA emulator): cuda is there; its absence is checked in a process without it below.
    t.is(unavailableReason('cuda'), null);
    t.is(backend('cuda').name, 'cuda');
  } else {
    t.truthy(unavailableReason('cuda'));
    const err = t.throws(() => backend('cuda'), { instanceOf: BackendUnavailableError });
    t.regex(err!.message, /cuda.*not available/);
  }
  t.throws(() => backend('tpu'), { instanceOf: RangeError, message: /Unknown backend "tpu"/ });
});

test('with the addon disabled the package still works, on ts, after one warning line', (t) => {
  const run = runSnippet(SNIPPET, { GRADNODE_NO_ADDON: '1', GRADNODE_BACKEND: '' });
  t.is(run.status, 0, run.stderr);
  t.is(run.stdout.trim(), 'ts [[7,10],[15,22]]');
  const warnings = run.stderr.trim().split('\n');
  t.is(warnings.length, 1);
  t.regex(warnings[0], /using the pure-TS backend because native addons are disabled by GRADNODE_NO_ADDON=1/);
});

test('an addon folder without the addon falls back to ts with the path in the warning', (t) => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-noaddon-'));
  const run = runSnippet(SNIPPET, { GRADNODE_ADDON_DIR: empty, GRADNODE_BACKEND: '' });
  t.is(run.status, 0, run.stderr);
  t.is(run.stdout.trim(), 'ts [[7,10],[15,22]]');
  t.true(run.stderr.includes(empty) && run.stderr.includes('was not built'));
});

test('GRADNODE_BACKEND picks the backend; an absent one is a clear error', (t) => {
  const ts = runSnippet(SNIPPET, { GRADNODE_BACKEND: 'ts' });
  t.is(ts.stdout.trim(), 'ts [[7,10],[15,22]]');
  t.is(ts.stderr, '');
  // Without the CUDA addon (whether or not this machine has one):
  const cuda = runSnippet(SNIPPET, { GRADNODE_BACKEND: 'cuda', GRADNODE_CUDA_ADDON: path.join(root, 'no-such-addon.node') });
  t.not(cuda.status, 0);
  t.regex(cuda.stderr, /BackendUnavailableError: Backend "cuda" is not available/);
});

test('the addon build step honours GRADNODE_NO_ADDON, even with --strict', (t) => {
  const run = spawnSync(process.execPath, ['scripts/build-addon.js', '--strict'], {
    cwd: root, encoding: 'utf8', env: { ...process.env, GRADNODE_NO_ADDON: '1' },
  });
  t.is(run.status, 0);
  t.regex(run.stdout, /native addon skipped \(GRADNODE_NO_ADDON=1\)/);
});

test('the default backend is cpu when the addon is built', (t) => {
  if (!isAvailable('cpu')) {
    t.log(`skipped: ${unavailableReason('cpu')}`);
    t.pass();
    return;
  }
  const run = runSnippet(SNIPPET, { GRADNODE_BACKEND: '' });
  t.is(run.stdout.trim(), 'cpu [[7,10],[15,22]]');
  t.is(run.stderr, '');
});
