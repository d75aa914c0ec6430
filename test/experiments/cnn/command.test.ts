import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CIFAR10_RECORD_BYTES } from '../../../src/data';
import { cnn } from '../../../src/experiments/cnn';
import { loadSafetensors } from '../../../src/io/safetensors';
import { expectUsageErrors, runCli } from '../../helpers/cli';

const commands = [cnn];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-cnn-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A CIFAR-10 batch file of `count` records whose class c images are bright in channel c % 3 (learnable). */
function writeCifarBatch(file: string, count: number, seed: number): void {
  const bytes = new Uint8Array(count * CIFAR10_RECORD_BYTES);
  for (let r = 0; r < count; r++) {
    const label = (r * 7 + seed) % 10;
    const at = r * CIFAR10_RECORD_BYTES;
    bytes[at] = label;
    for (let i = 0; i < 3072; i++) bytes[at + 1 + i] = Math.floor(i / 1024) === label % 3 ? 200 + ((i * 13 + r) % 50) : (i * 31 + r * 17) % 60;
  }
  fs.writeFileSync(file, bytes);
}

function cifarDir(name: string, perBatch = 40): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  for (let k = 1; k <= 5; k++) writeCifarBatch(path.join(dir, `data_batch_${k}.bin`), perBatch, k);
  writeCifarBatch(path.join(dir, 'test_batch.bin'), perBatch, 9);
  return dir;
}

function metricsOf(out: string) {
  return JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
}

test.serial('cnn on a Fashion-MNIST slice: learns, scores the test set, writes curves, predictions and weights', async (t) => {
  const out = path.join(tmp, 'fashion');
  const r = await runCli(commands, ['cnn', '--epochs', '2', '--max-train', '2000', '--max-test', '500', '--out', out, '--seed', '2']);
  t.is(r.code, 0, r.err);
  for (const f of ['metrics.json', 'epochs.csv', 'loss.svg', 'accuracy.svg', 'predictions.csv', 'weights.safetensors']) t.true(fs.existsSync(path.join(out, f)), f);
  const epochs = metricsOf(out).series.epochs;
  t.is(epochs.length, 2);
  t.true(epochs[1].testAccuracy > 0.6, `test accuracy ${epochs[1].testAccuracy}`);
  t.true(epochs[1].trainLoss < epochs[0].trainLoss);
  const lines = fs.readFileSync(path.join(out, 'predictions.csv'), 'utf8').trim().split('\n');
  t.is(lines[0], 'id,label');
  t.is(lines.length, 501);
  t.regex(lines[500], /^499,[0-9]$/);
  const { tensors } = loadSafetensors(path.join(out, 'weights.safetensors'));
  t.deepEqual(tensors['0.weight'].shape, [32, 1, 3, 3]);
  t.deepEqual(tensors['5.weight'].shape, [128, 64 * 7 * 7]);
});

test.serial('cnn --dataset cifar10 trains on the binary batches (3×32×32 images)', async (t) => {
  const out = path.join(tmp, 'cifar');
  const r = await runCli(commands, ['cnn', '--dataset', 'cifar10', '--data', cifarDir('cifar-ok'), '--epochs', '3', '--batch-size', '20', '--out', out]);
  t.is(r.code, 0, r.err);
  t.regex(r.out, /cifar10 200 training \/ 40 test images of 3×32×32/);
  const m = metricsOf(out);
  t.is(m.series.epochs.length, 3);
  t.true(m.series.epochs[2].testAccuracy > 0.2, `test accuracy ${m.series.epochs[2].testAccuracy}`);
  const { tensors } = loadSafetensors(path.join(out, 'weights.safetensors'));
  t.deepEqual(tensors['0.weight'].shape, [32, 3, 3, 3]);
  t.deepEqual(tensors['5.weight'].shape, [128, 64 * 8 * 8]);
});

test.serial('cnn: broken CIFAR-10 folders, missing data and bad flags exit 2 with one line and create no output folder', async (t) => {
  const truncated = cifarDir('cifar-truncated');
  fs.appendFileSync(path.join(truncated, 'data_batch_3.bin'), Buffer.from([1, 2, 3]));
  const missing = cifarDir('cifar-missing');
  fs.rmSync(path.join(missing, 'data_batch_4.bin'));
  const never = path.join(tmp, 'never');
  for (const [dir, file] of [[truncated, 'data_batch_3.bin'], [missing, 'data_batch_4.bin']]) {
    const r = await runCli(commands, ['cnn', '--dataset', 'cifar10', '--data', dir, '--out', never]);
    t.is(r.code, 2, r.err);
    t.is(r.err.trim().split('\n').length, 1, r.err);
    t.true(r.err.includes(file), r.err);
  }
  const none = await runCli(commands, ['cnn', '--dataset', 'cifar10', '--out', never]);
  t.regex(none.err, /--dataset cifar10 needs --data DIR: a folder with data_batch_1\.bin\.\.data_batch_5\.bin and test_batch\.bin/);
  await expectUsageErrors(t, commands, 'cnn', [
    ['--dataset', 'mnist'], ['--epochs', '0'], ['--epochs', '1.5'], ['--lr', '0'], ['--lr', '-1'], ['--batch-size', '0'],
    ['--max-train', '0'], ['--max-train', '-2'], ['--max-test', '0'], ['--data', path.join(tmp, 'no-such-folder')],
    ['--dataset', 'cifar10', '--data', path.join(tmp, 'no-such-folder')], ['--dataset', 'cifar10'], ['--backend', 'tpu'], ['--bogus'],
  ], never);
});
