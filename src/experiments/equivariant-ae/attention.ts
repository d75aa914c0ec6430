/**
 * What the attention pool of `attn-ae` learned: the weights α over the four
 * rotations for the first test images (a grouped bar plot), their mean over
 * the test set, and whether they are uniform.
 */
import * as path from 'node:path';
import { noGrad } from '../../autograd/mode';
import type { Autoencoder, BuiltModel } from './models';
import { saveBarPlot } from '../../report/plot';
import { Tensor } from '../../tensor/tensor';
import type { RunContext } from '../common';
import { PIXELS } from './train';

const ELEMENTS = ['0°', '90°', '180°', '270°'];
/** Mean over images of max_i |α_i − 1/|G|| below this counts as uniform. */
export const UNIFORM_TOLERANCE = 0.02;

/** α (n × |G|) of the attention pool for n images. */
export function attentionWeights(model: Autoencoder, images: Float32Array, n: number, chunk = 1000): Float64Array {
  const pool = model.pool;
  if (!pool) throw new Error('attentionWeights: the model has no attention pool');
  const g = pool.elements.length;
  const out = new Float64Array(n * g);
  noGrad(() => {
    for (let start = 0; start < n; start += chunk) {
      const B = Math.min(chunk, n - start);
      const x = new Tensor(images.subarray(start * PIXELS, (start + B) * PIXELS), [B, PIXELS], pool.query.backend);
      out.set(pool.attention(model.encoder.forward(x)).toTypedArray(), start * g);
    }
  });
  return out;
}

export async function attentionReport(ctx: RunContext, built: BuiltModel, images: Float32Array, n: number,
                                      shown: number): Promise<{ uniform: boolean; sentence: string }> {
  const model = built.module as Autoencoder;
  model.eval();
  const alpha = attentionWeights(model, images, n);
  const g = ELEMENTS.length;
  const mean = new Array(g).fill(0);
  let deviation = 0;
  let largest = 0;
  for (let i = 0; i < n; i++) {
    const row = alpha.subarray(i * g, (i + 1) * g);
    row.forEach((a, j) => { mean[j] += a / n; });
    deviation += Math.max(...row.map((a) => Math.abs(a - 1 / g))) / n;
    largest += Math.max(...row) / n;
  }
  const categories = Array.from({ length: shown }, (_, i) => `test ${i}`);
  await saveBarPlot(path.join(ctx.dir, 'attention.svg'), {
    title: 'attention weights α over the rotations of h (attn-ae)', xLabel: 'test image', yLabel: 'α',
    categories, series: ELEMENTS.map((name, j) => ({ name, values: categories.map((_, i) => alpha[i * g + j]) })),
  });
  const uniform = deviation < UNIFORM_TOLERANCE;
  ctx.metrics.set('attention', {
    shownImages: Array.from({ length: shown }, (_, i) => Array.from(alpha.subarray(i * g, (i + 1) * g))),
    meanWeights: mean, meanMaxDeviationFromUniform: deviation, meanLargestWeight: largest, uniform,
  });
  const numbers = `mean over ${n} test images of max_i |α_i − 1/4| = ${deviation.toFixed(3)}, mean largest α = ${largest.toFixed(3)}`;
  const sentence = uniform
    ? `The attention weights are close to uniform (${numbers}): g is nearly the plain group average of h.`
    : `The attention weights are not uniform (${numbers}): per image the pool favours the rotations of h that best match q, `
      + 'a soft choice of orientation; rotating the input permutes α with it, so g stays invariant.';
  return { uniform, sentence };
}
