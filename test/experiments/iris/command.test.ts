import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { irisSplit, loadIris } from '../../../src/data';
import { iris } from '../../../src/experiments/iris';
import { loadSafetensors } from '../../../src/io/safetensors';
import { modular } from '../../../src/nn';
import { Generator } from '../../../src/random';
import { Tensor } from '../../../src/tensor';
import { backendsUnderTest } from '../../helpers/backends';
import { expectUsageErrors, runCli } from '../../helpers/cli';

const commands = [iris];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-iris-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

const COMBOS = ['lr0.01-hidden8', 'lr0.01-hidden32', 'lr0.1-hidden8', 'lr0.1-hidden32'];

function json(file: string) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** The test error of saved parameters, recomputed from the split, the logged standardizer and a fresh model. */
function testErrorOf(dir: string, seed: number): number {
  const hyper = json(path.join(dir, 'hyperparameters.json'));
  const { tensors } = loadSafetensors(path.join(dir, 'parameters.safetensors'), { backend: 'ts' });
  const ds = loadIris();
  const { test: rows } = irisSplit(ds, new Generator(seed));
  const x = new Float64Array(rows.length * 4);
  rows.forEach((r, i) => { for (let j = 0; j < 4; j++) x[i * 4 + j] = (ds.features[r * 4 + j] - hyper.standardizer.mean[j]) / hyper.standardizer.std[j]; });
  const model = new modular.Model([new modular.FullyConnected(hyper.hidden, 'relu', { nIn: 4, dtype: 'float64', backend: 'ts' }),
    new modular.FullyConnected(3, 'softmax', { nIn: hyper.hidden, dtype: 'float64', backend: 'ts' })], new modular.CrossEntropy());
  model.loadStateDict(tensors);
  const predicted = model.predict(Tensor.from(x, { dtype: 'float64', backend: 'ts', shape: [rows.length, 4] }));
  let wrong = 0;
  rows.forEach((r, i) => { if (predicted[i] !== ds.labels[r]) wrong++; });
  return wrong / rows.length;
}

test.serial('iris: the default sweep on a short run — table, best combination, metrics.json, logs per combination', async (t) => {
  const out = path.join(tmp, 'run'), logs = path.join(tmp, 'logs');
  const r = await runCli(commands, ['iris', '--epochs', '40', '--out', out, '--log-dir', logs]);
  t.is(r.code, 0, r.err);
  for (const c of COMBOS) t.regex(r.out, new RegExp(`${c.replace('.', '\\.')}\\s`), c);
  t.regex(r.out, /final train loss\s+train error\s+validation error\s+test error/);
  t.regex(r.out, /best by validation error \(ties: lower train loss\): lr [\d.]+, hidden \d+ \(\*\): validation error [\d.]+%, test error [\d.]+% \(\d of 30\)/);

  const m = json(path.join(out, 'metrics.json'));
  t.is(m.experiment, 'iris');
  t.deepEqual([m.split.train, m.split.validation, m.split.test], [90, 30, 30]);
  t.deepEqual(m.split.perClass, { train: 30, validation: 10, test: 10 });
  t.deepEqual(m.split.classNames, ['setosa', 'versicolor', 'virginica']);
  t.deepEqual(m.combinations.map((c: { name: string }) => c.name), COMBOS);
  t.deepEqual(m.combinations.map((c: { lr: number; hidden: number }) => [c.lr, c.hidden]), [[0.01, 8], [0.01, 32], [0.1, 8], [0.1, 32]]);
  t.is(m.training.epochs, 40);
  t.is(m.training.modelName, 'iris-mlp');
  // The best is the lowest validation error, ties by lower train loss.
  const minVal = Math.min(...m.combinations.map((c: { validationError: number }) => c.validationError));
  const tied = m.combinations.filter((c: { validationError: number }) => c.validationError === minVal);
  const expected = tied.reduce((a: { finalTrainLoss: number }, b: { finalTrainLoss: number }) => (b.finalTrainLoss < a.finalTrainLoss ? b : a));
  t.is(m.best.name, expected.name);
  t.true(m.best.testError <= 0.10, `best test error ${m.best.testError}`);
  for (const c of m.combinations) {
    t.true(c.finalTrainLoss < 0.3, `${c.name}: train loss ${c.finalTrainLoss}`);
    t.true(c.trainError <= 0.1, `${c.name}: train error ${c.trainError}`);
    for (const [e, n] of [[c.trainError, 90], [c.validationError, 30], [c.testError, 30]]) t.true(Math.abs(e * n - Math.round(e * n)) < 1e-9, `${e} is k/${n}`);
    const curve = m.series[`curve-${c.name}`];
    t.is(curve.length, 41, 'epoch 0 and 40 epochs');
    t.true(curve[40].trainLoss < 0.5 * curve[0].trainLoss, `${c.name} learns`);
    t.is(curve[40].trainLoss, c.finalTrainLoss);
    t.true(fs.existsSync(path.join(out, `curve-${c.name}.csv`)));
  }
  // Standardised with the train split's column means and population stds.
  const ds = loadIris();
  const { train } = irisSplit(ds, new Generator(0));
  for (let j = 0; j < 4; j++) {
    const col = Array.from(train, (i) => ds.features[i * 4 + j]);
    const mu = col.reduce((a, b) => a + b, 0) / col.length;
    const sd = Math.sqrt(col.reduce((a, b) => a + (b - mu) ** 2, 0) / col.length);
    t.true(Math.abs(m.standardizer.mean[j] - mu) < 1e-12 && Math.abs(m.standardizer.std[j] - sd) < 1e-12, `column ${j}`);
  }
  t.true(fs.readFileSync(path.join(out, 'loss.svg'), 'utf8').startsWith('<svg'));
  const svg = fs.readFileSync(path.join(out, 'loss.svg'), 'utf8');
  t.true(svg.includes('lr 0.1, hidden 32: validation') && svg.includes('lr 0.01, hidden 8: train'));

  for (const c of m.combinations) {
    const dir = path.join(logs, 'iris-mlp', c.name);
    for (const f of ['hyperparameters.json', 'parameters.safetensors', 'loss.svg', 'losses.csv']) t.true(fs.existsSync(path.join(dir, f)), `${c.name}/${f}`);
    const h = json(path.join(dir, 'hyperparameters.json'));
    t.like(h, { model_name: 'iris-mlp', combination: c.name, lr: c.lr, hidden: c.hidden, epochs: 40, batch_size: 10, momentum: 0.9, init: 'xavier_uniform', seed: 0 });
    t.is(h.results.testError, c.testError);
    const { tensors } = loadSafetensors(path.join(dir, 'parameters.safetensors'), { backend: 'ts' });
    t.deepEqual(Object.fromEntries(Object.entries(tensors).map(([k, v]) => [k, [...v.shape]])), {
      'fully_connected_0.W': [4, c.hidden], 'fully_connected_0.b': [1, c.hidden], 'fully_connected_1.W': [c.hidden, 3], 'fully_connected_1.b': [1, 3],
    });
    t.true(Math.abs(testErrorOf(dir, 0) - c.testError) < 1e-12, `${c.name}: saved parameters reproduce the test error`);
    t.is(fs.readFileSync(path.join(dir, 'losses.csv'), 'utf8').trim().split('\n').length, 42);
  }
});

test.serial('iris: an existing combination folder is refused (exit 2, nothing written) unless --overwrite replaces it', async (t) => {
  const logs = path.join(tmp, 'logs-refuse');
  const args = ['iris', '--epochs', '3', '--lr', '0.1', '--hidden', '4', '--log-dir', logs, '--model-name', 'm1'];
  t.is((await runCli(commands, [...args, '--out', path.join(tmp, 'r1')])).code, 0);
  const dir = path.join(logs, 'm1', 'lr0.1-hidden4');
  const before = fs.readFileSync(path.join(dir, 'hyperparameters.json'), 'utf8');
  fs.writeFileSync(path.join(dir, 'note.txt'), 'mine');

  const again = await runCli(commands, [...args, '--epochs', '5', '--out', path.join(tmp, 'r2')]);
  t.is(again.code, 2);
  t.is(again.err.trim().split('\n').length, 1, again.err);
  t.regex(again.err, /^error: iris: .*lr0\.1-hidden4 already exists; choose another --model-name or pass --overwrite/);
  t.false(fs.existsSync(path.join(tmp, 'r2')), 'no output folder');
  t.is(fs.readFileSync(path.join(dir, 'hyperparameters.json'), 'utf8'), before, 'the old log is untouched');
  // A sweep where only one of the folders exists is refused as a whole.
  const mixed = await runCli(commands, [...args, '--hidden', '4,6', '--out', path.join(tmp, 'r3')]);
  t.is(mixed.code, 2);
  t.false(fs.existsSync(path.join(logs, 'm1', 'lr0.1-hidden6')));

  const over = await runCli(commands, [...args, '--epochs', '5', '--overwrite', '--out', path.join(tmp, 'r4')]);
  t.is(over.code, 0, over.err);
  t.is(json(path.join(dir, 'hyperparameters.json')).epochs, 5);
  t.false(fs.existsSync(path.join(dir, 'note.txt')), 'the folder is replaced, not merged');
  // Another model name is a new folder.
  t.is((await runCli(commands, [...args, '--model-name', 'm2', '--out', path.join(tmp, 'r5')])).code, 0);
  t.true(fs.existsSync(path.join(logs, 'm2', 'lr0.1-hidden4', 'parameters.safetensors')));
});

test.serial('iris: a combination run alone gives the numbers it has in the sweep; the backends agree', async (t) => {
  const sweep = path.join(tmp, 'alone-sweep');
  t.is((await runCli(commands, ['iris', '--epochs', '8', '--lr', '0.05,0.2', '--hidden', '5,9', '--out', sweep, '--log-dir', path.join(tmp, 'l-a')])).code, 0);
  const results: Record<string, { finalTrainLoss: number; validationError: number; testError: number }>[] = [];
  for (const be of backendsUnderTest()) {
    const out = path.join(tmp, `alone-${be}`);
    const r = await runCli(commands, ['iris', '--epochs', '8', '--lr', '0.2', '--hidden', '9', '--backend', be, '--out', out, '--log-dir', path.join(tmp, `l-${be}`)]);
    t.is(r.code, 0, r.err);
    results.push(Object.fromEntries(json(path.join(out, 'metrics.json')).combinations.map((c: { name: string }) => [c.name, c])));
  }
  const inSweep = json(path.join(sweep, 'metrics.json')).combinations.find((c: { name: string }) => c.name === 'lr0.2-hidden9');
  for (const r of results) {
    const c = r['lr0.2-hidden9'];
    t.true(Math.abs(c.finalTrainLoss - inSweep.finalTrainLoss) <= 1e-10 * inSweep.finalTrainLoss, `${c.finalTrainLoss} vs ${inSweep.finalTrainLoss}`);
    t.is(c.validationError, inSweep.validationError);
    t.is(c.testError, inSweep.testError);
  }
});

test.serial('iris: every bad flag exits 2 with one line and writes nothing', async (t) => {
  const logs = path.join(tmp, 'never-logs');
  const cases = [
    ['--lr', 'abc'], ['--lr', '0.1,'], ['--lr', ''], ['--lr', '0'], ['--lr', '-0.1'], ['--lr', '11'], ['--lr', '0.1,0.1'], ['--lr', 'Infinity'],
    ['--hidden', '0'], ['--hidden', '8.5'], ['--hidden', '5000'], ['--hidden', 'a,8'], ['--hidden', '8,,32'], ['--hidden', '8,8'],
    ['--lr', Array.from({ length: 17 }, (_, i) => (i + 1) / 100).join(',')],
    ['--epochs', '0'], ['--epochs', '1.5'], ['--epochs', 'x'], ['--batch-size', '0'], ['--batch-size', '-3'],
    ['--momentum', '1'], ['--momentum', '-0.1'], ['--momentum', 'x'], ['--init', 'glorot'], ['--seed', 'x'], ['--seed', '1.5'],
    ['--backend', 'gpu'], ['--model-name', 'a/b'], ['--model-name', ''], ['--model-name', '../up'], ['--log-dir', ''], ['--overwrite=maybe'],
    ['--bogus'], ['extra'],
  ];
  await expectUsageErrors(t, commands, 'iris', cases.map((c) => ['--log-dir', logs, ...c]), path.join(tmp, 'never'));
  t.false(fs.existsSync(logs), 'no log folder');
});
