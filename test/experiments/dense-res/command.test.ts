import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { commands } from '../../../src/commands';
import { runCli } from '../../helpers/cli';
import { loadSafetensors } from '../../../src/io/safetensors';

for (const impl of ['manual', 'autograd']) {
  test.serial(`dense-res --impl ${impl}: a two-epoch run on a slice learns and writes its files`, async (t) => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-dr-')), 'run');
    const { code } = await runCli(commands, ['dense-res', '--impl', impl, '--epochs', '2', '--hidden', '64',
      '--lr', '0.05', '--max-train', '4000', '--max-test', '1000', '--out', out, '--seed', '1']);
    t.is(code, 0);
    for (const f of ['metrics.json', 'epochs.csv', 'loss.svg', 'accuracy.svg', 'weights.safetensors']) {
      t.true(fs.existsSync(path.join(out, f)), f);
    }
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    const epochs = metrics.series.epochs;
    t.is(epochs.length, 2);
    t.true(epochs[1].trainLoss < epochs[0].trainLoss, 'training loss falls');
    t.true(metrics.final.testAccuracy > 0.8, `test accuracy ${metrics.final.testAccuracy}`);
    t.true(fs.readFileSync(path.join(out, 'accuracy.svg'), 'utf8').startsWith('<svg'));
    const { tensors } = loadSafetensors(path.join(out, 'weights.safetensors'));
    t.deepEqual(tensors.W1.shape, [785, 64]);
    t.deepEqual(tensors.W4.shape, [65, 10]);
    t.deepEqual(tensors['ln3.gamma'].shape, [64]);
  });
}

test.serial('dense-res: the same seed repeats the run exactly', async (t) => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-dr-seed-'));
  const args = ['dense-res', '--epochs', '1', '--hidden', '32', '--max-train', '1000', '--max-test', '200', '--seed', '7'];
  await runCli(commands, [...args, '--out', path.join(base, 'a')]);
  await runCli(commands, [...args, '--out', path.join(base, 'b')]);
  const read = (d: string) => JSON.parse(fs.readFileSync(path.join(base, d, 'metrics.json'), 'utf8')).final;
  t.deepEqual(read('a'), read('b'));
});
