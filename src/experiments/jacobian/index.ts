/**
 * `jacobian`: seed 002, problem 2. ∂f/∂x of f(x) = W_F tanh(W_L … tanh(W_1 x))
 * (D=2, K=30, P=10) by reverse mode (P vector-Jacobian products, or one
 * batched pass) and forward mode (D Jacobian-vector products, or one batched
 * pass); their agreement with the chain rule written out and with central
 * differences; the matrix-chain multiply counts of both orders; and, with
 * --bench, their speed for each L on every backend present.
 */
import * as path from 'node:path';
import { availableBackends, backend as backendByName } from '../../backend';
import type { Backend, DType } from '../../backend/backend';
import type { Command } from '../../cli/command';
import { UsageError, type FlagValues } from '../../cli/flags';
import { Generator } from '../../random';
import { savePlot } from '../../report/plot';
import { ProgressBar } from '../../report/progress';
import { formatTable } from '../../report/summary';
import { interleave, median, min, timeCalls } from '../../report/timing';
import { Tensor } from '../../tensor';
import { commonFlags, finishRun, startRun, type RunContext } from '../common';
import {
  chainCosts, finiteDifferenceJacobian, handJacobian, jacobianBy, makeWeights, maxDifference, METHOD_DESCRIPTIONS, METHODS,
  network, SEED_SIZES, type Method,
} from './network';

const CHECK_LAYERS = 3;

const DETAILS = `f(x) = W_F tanh(W_L ... tanh(W_1 x)), D=${SEED_SIZES.D}, K=${SEED_SIZES.K}, P=${SEED_SIZES.P}, no biases, weights N(0, 1/fan_in). `
  + `The check (float64, L=${CHECK_LAYERS}, --trials random weights and inputs) compares the four Jacobians with the chain rule written out `
  + '(J = W_F D_L W_L ... D_1 W_1, D_l = diag(1 - h_l^2)) and with central differences. Methods: '
  + METHODS.map((m) => `${m}: ${METHOD_DESCRIPTIONS[m]}`).join('; ')
  + '. --bench times each method for every --layers value on every backend present (or --backend), interleaved over --rounds rounds '
  + '(each sample the mean of as many calls as fill --sample-ms), and reports the median and the minimum microseconds per Jacobian.';

function parseLayers(text: string): number[] {
  const values = text.split(',').map((s) => s.trim());
  const layers = values.map(Number);
  if (values.some((s) => s === '') || layers.some((l) => !Number.isInteger(l) || l < 1 || l > 100)) {
    throw new UsageError(`--layers must be a comma-separated list of integers from 1 to 100, not "${text}"`);
  }
  return [...new Set(layers)];
}

function benchBackends(flags: FlagValues): Backend[] {
  return flags.backend ? [backendByName(flags.backend as 'ts')] : availableBackends().map((b) => backendByName(b));
}

interface CheckRow { trial: number; method: Method; vsHand: number; vsFiniteDifferences: number }

/** The four Jacobians against the hand-written chain rule and central differences, float64, on fresh weights each trial. */
function checkAgreement(ctx: RunContext, trials: number, step: number): { rows: CheckRow[]; handVsFd: number } {
  const gen = new Generator(ctx.generator.int(1 << 30));
  const rows: CheckRow[] = [];
  let handVsFd = 0;
  for (let trial = 1; trial <= trials; trial++) {
    const weights = makeWeights(CHECK_LAYERS, SEED_SIZES, gen, 'float64', ctx.backend);
    const x = Tensor.randn([SEED_SIZES.D], { dtype: 'float64', backend: ctx.backend, generator: gen });
    const f = network(weights);
    const hand = handJacobian(weights, x);
    const fd = finiteDifferenceJacobian(f, x, step);
    const d = maxDifference(fd, hand);
    handVsFd = Math.max(handVsFd, d.abs / d.scale);
    for (const method of METHODS) {
      const J = jacobianBy(method, f, x);
      if (J.shape.join() !== `${SEED_SIZES.P},${SEED_SIZES.D}`) throw new Error(`jacobian: ${method} gave shape [${J.shape}]`);
      const values = J.toTypedArray();
      const h = maxDifference(values, hand), n = maxDifference(values, fd);
      rows.push({ trial, method, vsHand: h.abs / h.scale, vsFiniteDifferences: n.abs / n.scale });
    }
  }
  return { rows, handVsFd };
}

interface BenchRow { layers: number; backend: string; method: Method; medianMicros: number; minMicros: number }

function benchmark(ctx: RunContext, backends: Backend[], layers: number[], dtype: DType, rounds: number, sampleSeconds: number): BenchRow[] {
  const gen = new Generator(ctx.generator.int(1 << 30));
  const contenders: Record<string, () => number> = {};
  const keys: { key: string; layers: number; backend: string; method: Method }[] = [];
  for (const L of layers) {
    for (const be of backends) {
      const weights = makeWeights(L, SEED_SIZES, gen, dtype, be);
      const x = Tensor.randn([SEED_SIZES.D], { dtype, backend: be, generator: gen });
      const f = network(weights);
      for (const method of METHODS) {
        const key = `${L}/${be.name}/${method}`;
        // Each sample ends with the values on the host, so a device backend's queue is drained too.
        contenders[key] = () => timeCalls(() => jacobianBy(method, f, x).toTypedArray(), sampleSeconds);
        keys.push({ key, layers: L, backend: be.name, method });
      }
    }
  }
  const bar = new ProgressBar({ total: rounds, label: 'bench' });
  const samples = interleave(contenders, rounds, () => bar.tick());
  bar.done();
  return keys.map(({ key, layers: L, backend, method }) => ({
    layers: L, backend, method, medianMicros: median(samples[key]) * 1e6, minMicros: min(samples[key]) * 1e6,
  }));
}

/** Which order the multiply counts favour, and whether the fastest forward and reverse timings agree, per backend at each L. */
function verdict(rows: BenchRow[], layers: number[]): string[] {
  const lines: string[] = [];
  for (const L of layers) {
    const c = chainCosts(L, SEED_SIZES);
    const favoured = c.forward < c.reverse ? 'forward' : 'reverse';
    const parts: string[] = [];
    for (const backend of [...new Set(rows.map((r) => r.backend))]) {
      const best = (mode: string) => rows.filter((r) => r.layers === L && r.backend === backend && r.method.startsWith(mode))
        .reduce((a, b) => (a.medianMicros <= b.medianMicros ? a : b));
      const fw = best('forward'), rv = best('reverse');
      const winner = fw.medianMicros <= rv.medianMicros ? fw : rv;
      parts.push(`${backend}: ${fw.method} ${fw.medianMicros.toFixed(1)} µs vs ${rv.method} ${rv.medianMicros.toFixed(1)} µs, `
        + `${winner.method.startsWith(favoured) ? 'agrees' : 'disagrees'}`);
    }
    lines.push(`L=${L}: the chain costs ${c.forward} (forward) vs ${c.reverse} (reverse) multiplies, so ${favoured} mode should win `
      + `(D=${SEED_SIZES.D} columns to carry instead of P=${SEED_SIZES.P} rows); measured ${parts.join('; ')}.`);
  }
  return lines;
}

export const jacobianCommand: Command = {
  name: 'jacobian',
  describe: 'Jacobian of W_F tanh(W_L … tanh(W_1 x)) by forward mode (jvp) and reverse mode (backward), batched and not; checks, multiply counts, --bench',
  flags: [
    { name: 'trials', type: 'int', default: 5, min: 1, max: 1000, description: `random weights and inputs in the agreement check (L=${CHECK_LAYERS}, float64)` },
    { name: 'fd-step', type: 'number', default: 1e-6, max: 0.1, description: 'central-difference step of the check (> 0)' },
    { name: 'layers', type: 'string', default: '3,5,10', description: 'values of L for the multiply counts and --bench (comma-separated, 1..100)' },
    { name: 'bench', type: 'boolean', default: false, description: 'time every method for each L on every backend present (or --backend)' },
    { name: 'rounds', type: 'int', default: 15, min: 1, max: 10000, description: 'interleaved rounds of --bench (median and minimum over them)' },
    { name: 'sample-ms', type: 'number', default: 20, max: 10000, description: 'milliseconds of calls averaged into one sample of --bench (> 0)' },
    { name: 'dtype', type: 'string', default: 'float32', choices: ['float32', 'float64'], description: 'dtype of --bench (the check is always float64)' },
    ...commonFlags(),
  ],
  details: DETAILS,
  async run(flags) {
    const layers = parseLayers(flags.layers as string);
    for (const name of ['fdStep', 'sampleMs'] as const) {
      if (!((flags[name] as number) > 0)) throw new UsageError(`--${name === 'fdStep' ? 'fd-step' : 'sample-ms'} must be positive, not ${flags[name]}`);
    }
    const ctx = startRun('jacobian', flags);
    const { rows, handVsFd } = checkAgreement(ctx, flags.trials as number, flags.fdStep as number);
    for (const r of rows) ctx.metrics.push('check', { trial: r.trial, method: METHODS.indexOf(r.method), vsHand: r.vsHand, vsFiniteDifferences: r.vsFiniteDifferences });
    const worst: Record<string, { vsHand: number; vsFiniteDifferences: number }> = {};
    for (const m of METHODS) {
      const mine = rows.filter((r) => r.method === m);
      worst[m] = { vsHand: Math.max(...mine.map((r) => r.vsHand)), vsFiniteDifferences: Math.max(...mine.map((r) => r.vsFiniteDifferences)) };
    }
    ctx.metrics.set('check', { layers: CHECK_LAYERS, trials: flags.trials, maxRelativeError: worst, handVsFiniteDifferences: handVsFd, methods: METHODS });
    console.log(`jacobian: ${flags.trials} random f with L=${CHECK_LAYERS} on ${ctx.backend.name}, float64; relative error = max |J - J_ref| / max |J_ref|`);
    console.log(formatTable(['method', 'vs the chain rule by hand', 'vs central differences'],
      METHODS.map((m) => [m, worst[m].vsHand.toExponential(2), worst[m].vsFiniteDifferences.toExponential(2)])));

    const costs = layers.map((L) => ({ layers: L, ...chainCosts(L, SEED_SIZES) }));
    for (const c of costs) ctx.metrics.push('multiplies', c);
    console.log('jacobian: matrix-chain multiplies of J (M1×M2 times M2×M3 costs M1·M2·M3; evaluating f itself costs the same in both modes)');
    console.log(formatTable(['L', 'forward (from the input side)', 'reverse (from the output side)', 'reverse / forward', 'evaluating f'],
      costs.map((c) => [c.layers, c.forward, c.reverse, (c.reverse / c.forward).toFixed(2), c.evaluation])));

    const summary: [string, string | number][] = [
      ...METHODS.map((m): [string, string] => [`${m}: max rel. error vs hand / vs central diff.`, `${worst[m].vsHand.toExponential(1)} / ${worst[m].vsFiniteDifferences.toExponential(1)}`]),
      ...costs.map((c): [string, string] => [`L=${c.layers}: multiplies forward / reverse`, `${c.forward} / ${c.reverse}`]),
    ];
    if (flags.bench) {
      const backends = benchBackends(flags);
      const dtype = flags.dtype as DType;
      console.log(`jacobian: --bench on ${backends.map((b) => b.name).join(', ')}, ${dtype}, L = ${layers.join(', ')}, ${flags.rounds} rounds`);
      const bench = benchmark(ctx, backends, layers, dtype, flags.rounds as number, (flags.sampleMs as number) / 1000);
      for (const r of bench) ctx.metrics.push('bench', { layers: r.layers, method: METHODS.indexOf(r.method), medianMicros: r.medianMicros, minMicros: r.minMicros });
      ctx.metrics.set('bench', { dtype, rounds: flags.rounds, methods: METHODS, rows: bench });
      console.log(formatTable(['L', 'backend', 'method', 'median µs', 'min µs'],
        bench.map((r) => [r.layers, r.backend, r.method, r.medianMicros.toFixed(1), r.minMicros.toFixed(1)])));
      const lines = verdict(bench, layers);
      for (const line of lines) console.log(`jacobian: ${line}`);
      ctx.metrics.set('verdict', lines);
      await savePlot(path.join(ctx.dir, 'times.svg'), {
        title: `jacobian: microseconds per Jacobian (${dtype}, median of ${flags.rounds} rounds)`, xLabel: 'L (hidden layers)', yLabel: 'µs', logY: true, integerX: true,
        series: [...new Set(bench.map((r) => `${r.backend} ${r.method}`))].map((name) => {
          const mine = bench.filter((r) => `${r.backend} ${r.method}` === name);
          return { name, x: mine.map((r) => r.layers), y: mine.map((r) => r.medianMicros) };
        }),
      });
      for (const be of backends) {
        for (const m of METHODS) {
          const r = bench.find((b) => b.backend === be.name && b.method === m && b.layers === layers[0])!;
          summary.push([`L=${layers[0]} ${be.name} ${m}: median / min µs`, `${r.medianMicros.toFixed(1)} / ${r.minMicros.toFixed(1)}`]);
        }
      }
      summary.push(['files', 'check.csv, multiplies.csv, bench.csv, times.svg']);
    } else {
      summary.push(['files', 'check.csv, multiplies.csv (add --bench for the timings)']);
    }
    ctx.metrics.set('details', DETAILS);
    finishRun(ctx, 'jacobian', summary);
  },
};
