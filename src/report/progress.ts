/**
 * A progress bar for long loops.
 *
 * On a terminal it is one line redrawn in place (`\r`) at most ten times a
 * second:
 *
 *     train [#########...........] 45% 270/600 12.3 it/s ETA 0:27 loss 0.1234
 *
 * Elsewhere (CI logs, pipes, files) it prints a plain line at 0%, at each 10%
 * step and at the end, without `\r` or escape codes, so logs stay readable.
 * The speed is an exponential moving average of the measured rate, and the
 * ETA is derived from it. `enabled: false` or the environment variable
 * `GRADNODE_PROGRESS=0` silences it.
 */

import { performance } from 'perf_hooks';

/** The part of a writable stream the bar needs (process.stderr fits; tests pass fakes). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** Terminal width; the line is cut to fit when known. */
  columns?: number;
}

export type ProgressInfo = Record<string, number | string>;

export interface ProgressOptions {
  /** Number of steps in the loop; 0 is allowed. */
  total: number;
  label: string;
  /** Default `process.stderr`. */
  stream?: ProgressStream;
  /** Characters inside the brackets, default 20. */
  width?: number;
  /** `false` prints nothing. `GRADNODE_PROGRESS=0` in the environment does the same. */
  enabled?: boolean;
  /** Milliseconds clock (default `performance.now`); injectable for tests. */
  clock?: () => number;
}

/** Shortest redraw interval on a terminal (ms). */
const REDRAW_MS = 100;
/** Rate samples are taken over at least this long (ms), so bursts of fast ticks do not give infinite rates. */
const SAMPLE_MS = 100;
/** Weight of the newest rate sample in the moving average. */
const EMA_ALPHA = 0.3;

/** Whether the environment allows progress output (`GRADNODE_PROGRESS=0|false|off` turns it off). */
export function progressAllowedByEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.GRADNODE_PROGRESS;
  return value === undefined || !['0', 'false', 'off', 'no'].includes(value.trim().toLowerCase());
}

/** `M:SS` or `H:MM:SS`; `?` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** `12.3 it/s`, or `4.20 s/it` for slow loops. */
export function formatRate(itemsPerSecond: number): string {
  const short = (r: number): string => (r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2));
  if (!Number.isFinite(itemsPerSecond) || itemsPerSecond <= 0) return '? it/s';
  return itemsPerSecond >= 1 ? `${short(itemsPerSecond)} it/s` : `${short(1 / itemsPerSecond)} s/it`;
}

/** Live values: integers whole, other numbers to 4 significant digits. */
export function formatInfoValue(value: number | string): string {
  if (typeof value === 'string') return value;
  if (Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  return Number.isFinite(value) ? value.toPrecision(4) : String(value);
}

export class ProgressBar {
  readonly total: number;
  readonly label: string;
  private readonly stream: ProgressStream;
  private readonly width: number;
  private readonly enabled: boolean;
  private readonly tty: boolean;
  private readonly clock: () => number;
  private readonly startTime: number;
  private current = 0;
  private info: ProgressInfo = {};
  private rate: number | undefined;
  private sampleTime: number;
  private sampleCount = 0;
  private lastDraw = -Infinity;
  private lastDecile = 0;
  private lastLength = 0;
  private finished = false;

  constructor(options: ProgressOptions) {
    this.total = Number.isFinite(options.total) && options.total > 0 ? Math.floor(options.total) : 0;
    this.label = options.label;
    this.stream = options.stream ?? process.stderr;
    this.width = Math.max(1, Math.floor(options.width ?? 20));
    this.enabled = options.enabled !== false && progressAllowedByEnv();
    this.tty = this.stream.isTTY === true;
    this.clock = options.clock ?? (() => performance.now());
    this.startTime = this.clock();
    this.sampleTime = this.startTime;
    if (this.enabled) this.draw(this.startTime);
  }

  /** Steps done so far. */
  get value(): number {
    return this.current;
  }

  /** Advances by `n` steps; `info` (e.g. `{ loss: 0.123 }`) is merged into the live values shown. */
  tick(n = 1, info?: ProgressInfo): void {
    if (this.finished || !this.enabled) return;
    const step = Number.isFinite(n) ? n : 0;
    this.current += step;
    if (info) this.info = { ...this.info, ...info };
    const now = this.clock();
    this.sample(now, step);
    if (this.tty) {
      if (now - this.lastDraw >= REDRAW_MS) this.draw(now);
      return;
    }
    const decile = this.total > 0 ? Math.floor((Math.min(this.current, this.total) * 10) / this.total) : 0;
    if (decile > this.lastDecile && decile < 10) {
      this.lastDecile = decile;
      this.draw(now);
    }
  }

  /** Prints the final line (elapsed time instead of ETA) and ends it; later calls do nothing. */
  done(info?: ProgressInfo): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.enabled) return;
    if (info) this.info = { ...this.info, ...info };
    this.draw(this.clock());
    if (this.tty) this.stream.write('\n');
  }

  /** The line as it would be printed now (without `\r`). */
  render(now: number = this.clock()): string {
    const fraction = this.total > 0 ? Math.min(1, Math.max(0, this.current / this.total)) : 1;
    const filled = Math.round(fraction * this.width);
    const parts = [
      `${this.label} [${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}]`,
      `${Math.floor(fraction * 100)}%`,
      `${this.current}/${this.total}`,
    ];
    const elapsed = (now - this.startTime) / 1000;
    if (this.finished) {
      if (elapsed > 0 && this.current > 0) parts.push(formatRate(this.current / elapsed));
      parts.push(`took ${formatDuration(elapsed)}`);
    } else {
      const rate = this.rate ?? (elapsed > 0 && this.current > 0 ? this.current / elapsed : undefined);
      if (rate !== undefined) parts.push(formatRate(rate));
      const remaining = Math.max(0, this.total - this.current);
      parts.push(`ETA ${remaining === 0 ? formatDuration(0) : rate ? formatDuration(remaining / rate) : '?'}`);
    }
    for (const [key, value] of Object.entries(this.info)) parts.push(`${key} ${formatInfoValue(value)}`);
    return parts.join(' ');
  }

  private sample(now: number, n: number): void {
    this.sampleCount += n;
    const dt = now - this.sampleTime;
    if (dt < SAMPLE_MS) return;
    const instant = (this.sampleCount * 1000) / dt;
    this.rate = this.rate === undefined ? instant : EMA_ALPHA * instant + (1 - EMA_ALPHA) * this.rate;
    this.sampleTime = now;
    this.sampleCount = 0;
  }

  private draw(now: number): void {
    this.lastDraw = now;
    let line = this.render(now);
    if (!this.tty) {
      this.stream.write(`${line}\n`);
      return;
    }
    const columns = this.stream.columns;
    if (columns !== undefined && columns > 1 && line.length > columns - 1) line = line.slice(0, columns - 1);
    const padding = ' '.repeat(Math.max(0, this.lastLength - line.length));
    this.lastLength = line.length;
    this.stream.write(`\r${line}${padding}`);
  }
}
