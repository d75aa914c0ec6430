#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * The Jacobian of f(x) = W_F tanh(W_L … tanh(W_1 x)) (D=2, K=30, P=10): the
 * jacobian experiment's four methods on gradnode's cpu and ts backends
 * against PyTorch 1.13 on the CPU — forward-mode dual numbers
 * (torch.autograd.forward_ad, D passes) and torch.autograd.functional.jacobian
 * (reverse mode, vectorize=True and False) — for L = 3, 5, 10.
 *
 * One run, interleaved: every round times each contender once (a sample is
 * the mean over as many calls as fill --sample-ms); PyTorch runs in one
 * long-lived process (bench/peers/jacobian_torch.py) answering timing
 * requests, so interleaving costs no start-up.
 *
 *   node bench/jacobian.js [--rounds 15] [--sample-ms 100] [--float64] [--quick] [--no-readme]
 *
 * --quick: 2 rounds of 20 ms samples, a smoke test; it leaves the README alone.
 * The Python side runs under $BENCH_PYTHON (default /usr/bin/python3, Debian's, with torch).
 */
const { spawn } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { median, min, timeCalls, markdownTable, updateReadmeSection, writeResult } = require('./lib/stats');

const usage = 'usage: node bench/jacobian.js [--rounds 15] [--sample-ms 100] [--float64] [--quick] [--no-readme]';
const args = process.argv.slice(2);
const known = new Set(['--rounds', '--sample-ms', '--float64', '--quick', '--no-readme']);
for (let i = 0; i < args.length; i++) {
  if (!known.has(args[i])) {
    console.error(`bench/jacobian: unknown argument ${args[i]}\n${usage}`);
    process.exit(2);
  }
  if (args[i] === '--rounds' || args[i] === '--sample-ms') i++;
}
/** @param {string} flag @param {number} fallback */
const numArg = (flag, fallback) => {
  const i = args.indexOf(flag);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v <= 0) {
    console.error(`bench/jacobian: ${flag} needs a positive integer\n${usage}`);
    process.exit(2);
  }
  return v;
};
const quick = args.includes('--quick');
const rounds = numArg('--rounds', quick ? 2 : 15);
const sampleSeconds = numArg('--sample-ms', quick ? 20 : 100) / 1000;
const dtype = args.includes('--float64') ? 'float64' : 'float32';
const LAYERS = [3, 5, 10];
const TORCH_METHODS = ['forward_ad', 'reverse_vectorized', 'reverse'];
const python = process.env.BENCH_PYTHON || '/usr/bin/python3';
const root = path.join(__dirname, '..');

let gradnode;
try {
  gradnode = {
    ...require(path.join(root, 'dist/experiments/jacobian/network')),
    ...require(path.join(root, 'dist/backend')),
    ...require(path.join(root, 'dist/tensor')),
    ...require(path.join(root, 'dist/random')),
  };
} catch (err) {
  console.error(`bench/jacobian: the build is missing (${/** @type {Error} */ (err).message.split('\n')[0]}); run bash setup.sh or npm run build`);
  process.exit(2);
}
const { METHODS, SEED_SIZES, makeWeights, network, jacobianBy, chainCosts, availableBackends, backend, Tensor, Generator } = gradnode;
const backends = availableBackends().filter((b) => b !== 'cuda');

/** The PyTorch process: one request line, one JSON answer line. */
function startTorch() {
  const child = spawn(python, [path.join(__dirname, 'peers/jacobian_torch.py'), ...(dtype === 'float64' ? ['--float64'] : [])], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const lines = readline.createInterface({ input: child.stdout });
  /** @type {((line: string) => void)[]} */
  const waiting = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  /** @param {string} request @returns {Promise<any>} */
  const ask = (request) => new Promise((resolve, reject) => {
    const onExit = () => reject(new Error(`PyTorch process ended: ${stderr.trim().split('\n').pop() || 'no output'} (is python3-torch installed for ${python}?)`));
    child.once('exit', onExit);
    waiting.push((line) => { child.off('exit', onExit); resolve(JSON.parse(line)); });
    child.stdin.write(`${request}\n`);
  });
  return { ask, close: () => child.stdin.end('quit\n') };
}

async function main() {
  const torch = startTorch();
  const gen = new Generator(0);
  /** @type {{ name: string, layers: number, group: string, run: () => Promise<number> }[]} */
  const contenders = [];
  for (const L of LAYERS) {
    const check = await torch.ask(`check ${L}`);
    if (!(check.maxDifference < (dtype === 'float64' ? 1e-12 : 1e-4))) throw new Error(`PyTorch's Jacobians disagree at L=${L}: ${check.maxDifference}`);
    for (const b of backends) {
      const be = backend(b);
      const f = network(makeWeights(L, SEED_SIZES, gen, dtype, be));
      const x = Tensor.randn([SEED_SIZES.D], { dtype, backend: be, generator: gen });
      for (const method of METHODS) {
        contenders.push({ name: `gradnode ${b} ${method}`, layers: L, group: 'gradnode',
          run: async () => timeCalls(() => jacobianBy(method, f, x).toTypedArray(), sampleSeconds) });
      }
    }
    for (const method of TORCH_METHODS) {
      // Calls per sample from a first timing of 50 calls.
      let calls = 0;
      contenders.push({ name: `pytorch ${method}`, layers: L, group: 'pytorch', run: async () => {
        if (calls === 0) calls = Math.max(1, Math.ceil(sampleSeconds / (await torch.ask(`${method} ${L} 50`)).seconds));
        return (await torch.ask(`${method} ${L} ${calls}`)).seconds;
      } });
    }
  }
  // One untimed round first: the JIT warms up on every contender before any sample counts.
  for (const c of contenders) await c.run();
  /** @type {Record<string, number[]>} */
  const samples = {};
  for (let r = 0; r < rounds; r++) {
    for (const c of contenders) (samples[`${c.layers}/${c.name}`] ??= []).push(await c.run());
    process.stderr.write(`bench/jacobian: round ${r + 1}/${rounds}\r`);
  }
  process.stderr.write('\n');
  torch.close();

  const rows = contenders.map((c) => {
    const s = samples[`${c.layers}/${c.name}`];
    return { layers: c.layers, contender: c.name, medianMicros: median(s) * 1e6, minMicros: min(s) * 1e6 };
  });
  const ref = (L) => rows.find((r) => r.layers === L && r.contender === 'pytorch forward_ad');
  const table = markdownTable(['L', 'contender', 'µs median', 'µs best', '× PyTorch forward_ad (median/median)'],
    rows.map((r) => [r.layers, r.contender, r.medianMicros.toFixed(1), r.minMicros.toFixed(1), (r.medianMicros / ref(r.layers).medianMicros).toFixed(2)]));
  const costs = markdownTable(['L', 'forward-mode chain multiplies', 'reverse-mode chain multiplies', 'evaluating f'],
    LAYERS.map((L) => { const c = chainCosts(L, SEED_SIZES); return [L, c.forward, c.reverse, c.evaluation]; }));
  const at3 = (name) => rows.find((r) => r.layers === 3 && r.contender === name);
  const best = (pattern) => rows.filter((r) => r.layers === 3 && r.contender.startsWith('gradnode') && pattern.test(r.contender))
    .reduce((a, b) => (a.medianMicros <= b.medianMicros ? a : b));
  const fw = best(/ forward$/), rb = best(/ reverse-batched$/);
  const torchFw = at3('pytorch forward_ad').medianMicros;
  const verdict = `Target (L=3): our forward mode and our batched reverse mode each ≤ 0.5 × PyTorch's forward_ad: `
    + `${fw.contender} ${(fw.medianMicros / torchFw).toFixed(2)} ×, ${rb.contender} ${(rb.medianMicros / torchFw).toFixed(2)} × — `
    + `${fw.medianMicros <= 0.5 * torchFw && rb.medianMicros <= 0.5 * torchFw ? 'met' : 'NOT met'}.`;
  const cpuModel = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const body = `## jacobian (forward vs reverse mode)

Command: \`node bench/jacobian.js${rounds !== 15 ? ` --rounds ${rounds}` : ''}${dtype === 'float64' ? ' --float64' : ''}\` on ${os.cpus().length} × ${cpuModel}, ${new Date().toISOString().slice(0, 10)}, ${dtype}. `
    + `The Jacobian (P×D = 10×2) of f(x) = W_F tanh(W_L … tanh(W_1 x)), K = 30, per call; median and best of ${rounds} interleaved rounds after a warm-up round, `
    + `each sample the mean over ≥ ${sampleSeconds * 1000} ms of calls. gradnode: \`autograd.jacobian\` as the \`jacobian\` experiment calls it `
    + `(forward: D jvp passes; forward-batched: one jvp over D copies; reverse: one forward, P backward passes; reverse-batched: one backward over P copies). `
    + `PyTorch 1.13 (1 thread): forward_ad = D passes of torch.autograd.forward_ad dual numbers; reverse(_vectorized) = torch.autograd.functional.jacobian (vectorize=False/True).

${table}

${costs}

${verdict}`;
  console.log(body);
  const file = writeResult(quick ? 'jacobian-quick' : 'jacobian', { dtype, rounds, sampleSeconds, rows, verdict });
  console.log(`\nbench/jacobian: results in ${path.relative(process.cwd(), file)}`);
  if (!quick && !args.includes('--no-readme')) updateReadmeSection('jacobian', body);
}

main().catch((err) => {
  console.error(`bench/jacobian: ${err.message}`);
  process.exit(1);
});
