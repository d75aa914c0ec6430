/**
 * `handcrafted`: ReLU networks with weights set by hand (hw problem 3) — XNOR
 * on {0,1}², the tent and the soft threshold max(|x| − s, 0)·sign(x) — built
 * from nn.Linear / nn.ReLU on the chosen backend in float64, their weights
 * printed, and their max error against the functions themselves on the four
 * XNOR inputs and on a dense grid of [−2, 3] that holds every kink exactly.
 * The weights and their derivations are in networks.ts.
 */
import * as path from 'node:path';
import type { Command } from '../../cli/command';
import { saveBarPlot, savePlot } from '../../report/plot';
import { formatTable } from '../../report/summary';
import { commonFlags, finishRun, startRun, type RunContext } from '../common';
import { buildModule, evaluate, grid, softThresholdNetwork, tentNetwork, xnorNetwork, type HandNetwork } from './networks';

export { softThresholdNetwork, tentNetwork, xnorNetwork } from './networks';

const LO = -2, HI = 3;
const CSV_ROWS = 1000;

const DETAILS = 'Each network is one hidden ReLU layer: a unit ρ(wx + b) is a hinge at x = −b/w, and the output layer weights '
  + 'each hinge by the change of slope of the target there (derivations in src/experiments/handcrafted/networks.ts). '
  + `The 1-D networks are scored on --points evenly spaced x in [${LO}, ${HI}] (with the default 100001 the kinks 0, ½, 1 `
  + 'are grid points exactly) plus ±s, the errors against the functions computed directly; XNOR on its four inputs. '
  + 'grid.csv keeps about 1000 of the grid points (every k-th, plus every kink).';

function printWeights(net: HandNetwork): void {
  console.log(`handcrafted: ${net.name} — ${net.title}`);
  const rows = net.layers.flatMap((layer, i) => layer.weight.map((row, r) => [
    r === 0 ? `layer ${i + 1} (${row.length}→${layer.weight.length}${i < net.layers.length - 1 ? ', ReLU' : ''})` : '',
    r + 1, `[${row.join(', ')}]`, layer.bias[r],
  ]));
  console.log(formatTable(['', 'unit', 'weights W[unit, :]', 'bias b[unit]'], rows));
}

interface Scored { name: string; maxError: number; at: number; values: Float64Array; targets: Float64Array }

function scoreOnGrid(ctx: RunContext, net: HandNetwork, xs: Float64Array): Scored {
  const values = evaluate(buildModule(net, ctx.backend), xs, xs.length, 1, ctx.backend);
  const targets = Float64Array.from(xs, (x) => net.target([x]));
  let maxError = 0, at = xs[0];
  for (let i = 0; i < xs.length; i++) {
    const e = Math.abs(values[i] - targets[i]);
    if (e > maxError) { maxError = e; at = xs[i]; }
  }
  return { name: net.name, maxError, at, values, targets };
}

export const handcrafted: Command = {
  name: 'handcrafted',
  describe: 'ReLU networks with hand-set weights (derived in the code): XNOR, the tent on [0,1], the soft threshold max(|x|−s,0)·sign(x); weights and max error on a dense grid',
  flags: [
    { name: 's', type: 'number', default: 1, min: 0, max: 1e6, description: 'threshold s ≥ 0 of the soft threshold (s = 0 is the identity)' },
    { name: 'points', type: 'int', default: 100001, min: 2, max: 10000001, description: `evenly spaced grid points in [${LO}, ${HI}] (the kinks and ±s are added)` },
    ...commonFlags(),
  ],
  details: DETAILS,
  async run(flags) {
    const s = flags.s as number, points = flags.points as number;
    const ctx = startRun('handcrafted', flags);
    const xnor = xnorNetwork(), tent = tentNetwork(), soft = softThresholdNetwork(s);
    for (const net of [xnor, tent, soft]) printWeights(net);

    // XNOR on its four inputs.
    const inputs = [[0, 0], [0, 1], [1, 0], [1, 1]];
    const xnorOut = evaluate(buildModule(xnor, ctx.backend), Float64Array.from(inputs.flat()), 4, 2, ctx.backend);
    const xnorTargets = inputs.map((p) => xnor.target(p));
    const xnorError = Math.max(...xnorOut.map((v, i) => Math.abs(v - xnorTargets[i])));
    inputs.forEach((p, i) => ctx.metrics.push('xnor', { x1: p[0], x2: p[1], target: xnorTargets[i], network: xnorOut[i] }));
    console.log(formatTable(['x1', 'x2', 'XNOR', 'network'], inputs.map((p, i) => [p[0], p[1], xnorTargets[i], xnorOut[i]])));

    // The 1-D functions on the grid.
    const kinks = [0, 0.5, 1, s, -s];
    const xs = grid(LO, HI, points, kinks.filter((k) => k >= LO && k <= HI));
    const scored = [tent, soft].map((net) => scoreOnGrid(ctx, net, xs));
    const kinkErrors: Record<string, Record<string, number>> = {};
    for (const r of scored) {
      kinkErrors[r.name] = {};
      for (const k of kinks) {
        const i = xs.indexOf(k);
        if (i >= 0) kinkErrors[r.name][String(k)] = Math.abs(r.values[i] - r.targets[i]);
      }
    }
    const stride = Math.max(1, Math.floor(xs.length / CSV_ROWS));
    for (let i = 0; i < xs.length; i++) {
      if (i % stride !== 0 && i !== xs.length - 1 && !kinks.includes(xs[i])) continue;
      ctx.metrics.push('grid', {
        x: xs[i], tent: scored[0].targets[i], tentNetwork: scored[0].values[i], softThreshold: scored[1].targets[i], softThresholdNetwork: scored[1].values[i],
      });
    }
    const [t, st] = scored;
    console.log(`handcrafted: max |network − function| over ${xs.length} grid points in [${LO}, ${HI}]: `
      + `tent ${t.maxError.toExponential(2)}${t.maxError > 0 ? ` (at x = ${t.at})` : ''}, `
      + `soft threshold (s = ${s}) ${st.maxError.toExponential(2)}${st.maxError > 0 ? ` (at x = ${st.at})` : ''}; `
      + `XNOR ${xnorError.toExponential(2)} on {0,1}²`);

    const g = ctx.metrics.series('grid');
    await saveBarPlot(path.join(ctx.dir, 'xnor.svg'), {
      title: 'handcrafted: XNOR and its ReLU network', xLabel: '(x1, x2)', yLabel: 'output',
      categories: inputs.map((p) => `(${p[0]}, ${p[1]})`),
      series: [{ name: 'XNOR(x1, x2)', values: xnorTargets }, { name: 'network', values: Array.from(xnorOut) }],
    });
    for (const [file, key, title] of [['tent.svg', 'tent', tent.title], ['soft-threshold.svg', 'softThreshold', soft.title]] as const) {
      await savePlot(path.join(ctx.dir, file), {
        title: `handcrafted: ${title}`, xLabel: 'x', yLabel: 'f(x)', points: false,
        series: [
          { name: 'function', x: g.map((p) => p.x), y: g.map((p) => p[key]) },
          { name: 'ReLU network', x: g.map((p) => p.x), y: g.map((p) => p[`${key}Network`]) },
        ],
      });
    }

    const weights = Object.fromEntries([xnor, tent, soft].map((n) => [n.name, n.layers]));
    ctx.metrics.set('weights', weights);
    ctx.metrics.set('errors', {
      xnor: xnorError, tent: t.maxError, softThreshold: st.maxError, tentWorstAt: t.at, softThresholdWorstAt: st.at, atKinks: kinkErrors,
    });
    ctx.metrics.set('s', s);
    ctx.metrics.set('gridPoints', xs.length);
    ctx.metrics.set('details', DETAILS);
    finishRun(ctx, 'handcrafted', [
      ['XNOR: max |error| on {0,1}²', xnorError.toExponential(2)],
      ['tent: max |error| on the grid', t.maxError.toExponential(2)],
      [`soft threshold (s = ${s}): max |error| on the grid`, st.maxError.toExponential(2)],
      ['grid', `${xs.length} points in [${LO}, ${HI}], kinks 0, ½, 1, ±s included`],
      ['networks', 'one hidden ReLU layer each: 2→2→1, 1→3→1, 1→2→1 (float64, ' + ctx.backend.name + ')'],
      ['files', 'metrics.json, xnor.csv, grid.csv, xnor.svg, tent.svg, soft-threshold.svg'],
    ]);
  },
};
