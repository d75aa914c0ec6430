/**
 * The host-only CUDA emulator (native/cuda/emu/, `npm run build:cuda-emu`):
 * its self-test, and the CUDA kernels' standalone driver (native/cuda/test/
 * driver.cu, under AddressSanitizer and UBSan), each with threads and blocks
 * in index order, in reverse order and shuffled (seed 1). The cuda parity
 * suites on the emulated device run from `npm run test:cuda-emu`.
 *
 * Skips with the reason when the emulator is not built, unless
 * GRADNODE_REQUIRE_NATIVE asks for 'cuda-emu' (as CI does).
 */
import test from 'ava';
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const dir = path.resolve(__dirname, '..', '..', 'build-cuda-emu', 'Release');
const required = (process.env.GRADNODE_REQUIRE_NATIVE ?? '').split(',').includes('cuda-emu');

const programs = [
  { name: 'emulator self-test', file: 'gradnode_cuda_emu_selftest', args: [] as string[] },
  { name: 'kernel driver (ASan + UBSan)', file: 'gradnode_cuda_driver', args: ['--no-bench'] },
];

for (const program of programs) {
  for (const order of ['index', 'reverse', 'random']) {
    test(`${program.name}, ${order} order: every check passes`, async (t) => {
      const file = path.join(dir, program.file);
      if (!fs.existsSync(file)) {
        const reason = `${path.relative(process.cwd(), file)} is not built (npm run build:cuda-emu)`;
        if (required) {
          t.fail(`GRADNODE_REQUIRE_NATIVE asks for cuda-emu: ${reason}`);
        } else {
          t.log(`skipped: ${reason}`);
          t.pass();
        }
        return;
      }
      const env = { ...process.env, GRADNODE_CUDA_EMU_ORDER: order, ASAN_OPTIONS: 'detect_leaks=0' };
      let stdout: string;
      try {
        ({ stdout } = await run(file, program.args, { env, maxBuffer: 16 << 20 }));
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        t.fail(`exit ${e.code}\n${e.stdout ?? ''}\n${(e.stderr ?? '').slice(0, 4000)}`);
        return;
      }
      const summary = /(\d+) checks passed, (\d+) failed/.exec(stdout);
      t.truthy(summary, stdout);
      t.is(summary![2], '0', stdout);
      t.true(Number(summary![1]) > 20, stdout);
      t.log(summary![0]);
    });
  }
}

test('on a 64 MiB emulated device, running out of memory is a CudaOutOfMemoryError, and the device stays usable', (t) => {
  const addon = path.join(dir, 'gradnode_cuda.node');
  if (!fs.existsSync(addon)) {
    if (required) t.fail(`GRADNODE_REQUIRE_NATIVE asks for cuda-emu: ${addon} is not built`);
    else t.pass();
    return;
  }
  const snippet = `
    const { Tensor, setBackend, cuda, CudaOutOfMemoryError } = require('./src');
    setBackend('cuda');
    const kept = Tensor.zeros([10 << 20]);  // 40 MiB of the 64
    try {
      Tensor.zeros([10 << 20]);
      console.log('no error');
    } catch (e) {
      console.log(JSON.stringify({ oom: e instanceof CudaOutOfMemoryError, same: e instanceof cuda.OutOfMemoryError,
        name: e.name, code: e.code, message: e.message }));
    }
    console.log(Tensor.ones([1000]).sum().item(), kept.size);
  `;
  const root = path.resolve(__dirname, '..', '..');
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', snippet], {
    cwd: root, encoding: 'utf8',
    env: { ...process.env, GRADNODE_CUDA_ADDON: addon, GRADNODE_CUDA_EMU_MEMORY: String(64 << 20), GRADNODE_REQUIRE_NATIVE: '' },
  });
  t.is(r.status, 0, r.stderr);
  const [error, after] = r.stdout.trim().split('\n');
  t.deepEqual(JSON.parse(error), {
    oom: true, same: true, name: 'CudaOutOfMemoryError', code: 'cudaErrorMemoryAllocation',
    message: 'alloc: cudaMallocFromPoolAsync failed: out of memory (cudaErrorMemoryAllocation)',
  });
  t.is(after, `1000 ${10 << 20}`);
});
