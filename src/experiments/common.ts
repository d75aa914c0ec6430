/**
 * What every experiment shares: the common flags (--seed, --backend, --out,
 * --data), the run's setup (backend, seeded generator, output folder,
 * metrics log) and its ending (metrics files, summary).
 */
import { availableBackends, backend as backendByName } from '../backend';
import type { Backend } from '../backend/backend';
import { UsageError, type FlagSpec, type FlagValues } from '../cli/flags';
import { loadMnist, type ImageDataset } from '../data';
import { BackendUnavailableError } from '../errors';
import { Generator, manualSeed } from '../random';
import { MetricsLog } from '../report/metrics';
import { createRunDir } from '../report/rundir';
import { formatSummary } from '../report/summary';

export const DEFAULT_SEED = 0;

export function commonFlags(options: { data?: string } = {}): FlagSpec[] {
  const flags: FlagSpec[] = [
    { name: 'seed', type: 'int', default: DEFAULT_SEED, description: 'random seed: the same seed repeats the run' },
    { name: 'backend', type: 'string', choices: ['ts', 'cpu', 'cuda'], description: 'kernel backend (default: the fastest available)' },
    { name: 'out', type: 'string', description: 'output folder (default runs/<experiment>/<timestamp>/; an existing non-empty folder is refused)' },
  ];
  if (options.data) flags.push({ name: 'data', type: 'string', description: options.data });
  return flags;
}

export interface RunContext {
  name: string;
  backend: Backend;
  generator: Generator;
  dir: string;
  metrics: MetricsLog;
  started: number;
}

/**
 * Resolves the backend, seeds the generators and creates the output folder.
 * `hostOnly` (why the experiment needs host memory) refuses a device backend
 * with a usage error before anything is written.
 */
export function startRun(name: string, flags: FlagValues, options: { hostOnly?: string } = {}): RunContext {
  let be: Backend;
  // Default: the fastest backend, or the fastest host one for an experiment that needs host memory.
  const fastest = options.hostOnly ? availableBackends().find((b) => backendByName(b).memory === 'host')! : availableBackends()[0];
  try {
    be = backendByName((flags.backend as string | undefined) ?? fastest);
  } catch (err) {
    if (err instanceof BackendUnavailableError) throw new UsageError(`${err.message} (available: ${availableBackends().join(', ')})`);
    throw err;
  }
  if (options.hostOnly) requireHostBackend(name, be, options.hostOnly);
  const seed = flags.seed as number;
  manualSeed(seed);
  const dir = createRunDir(name, flags.out as string | undefined);
  const metrics = new MetricsLog();
  metrics.set('experiment', name);
  metrics.set('flags', flags);
  metrics.set('backend', be.name);
  metrics.set('startedAt', new Date().toISOString());
  return { name, backend: be, generator: new Generator(seed), dir, metrics, started: Date.now() };
}

/** A usage error when `be` keeps tensors in device memory and the experiment needs host arrays (`why`). */
export function requireHostBackend(name: string, be: Backend, why: string): void {
  if (be.memory === 'device') throw new UsageError(`${name} runs on host backends (ts, cpu), not ${be.name}: ${why}`);
}

/** Writes metrics.json (and the series CSVs) and prints the summary with the output folder. */
export function finishRun(ctx: RunContext, title: string, rows: [string, string | number][]): void {
  const seconds = (Date.now() - ctx.started) / 1000;
  ctx.metrics.set('wallSeconds', seconds);
  ctx.metrics.set('summary', Object.fromEntries(rows));
  ctx.metrics.write(ctx.dir);
  console.log(formatSummary(title, [...rows, ['wall time', `${seconds.toFixed(1)} s`], ['output', ctx.dir]]));
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Percent with two decimals. */
export function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(2)}%`;
}

/** MNIST train and test sets as the --data, --max-train and --max-test flags ask (-1 = all). */
export function loadMnistSplits(flags: FlagValues): { train: ImageDataset; test: ImageDataset } {
  const dataDir = flags.data as string | undefined;
  const limit = (n: unknown) => ((n as number) < 0 ? undefined : (n as number));
  return {
    train: loadMnist({ split: 'train', dataDir, limit: limit(flags.maxTrain) }),
    test: loadMnist({ split: 'test', dataDir, limit: limit(flags.maxTest) }),
  };
}
