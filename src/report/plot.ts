/**
 * Plots as SVG text, rendered headless with vega-lite → vega (no browser, no
 * canvas). Rendering is deterministic: the same data gives byte-identical SVG
 * (fixed fonts, colours and sizes; vega's clip/gradient id counters are reset
 * and renders are serialised).
 *
 * vega 6 and vega-lite 6 are ES modules with top-level await, so they cannot
 * be `require`d from this CommonJS package; they are loaded once with a real
 * dynamic `import()`.
 */

import { pathToFileURL } from 'url';
import { ShapeError } from '../errors';
import { writeFileAtomic } from './files';

export interface LineSeries {
  name: string;
  x: readonly number[] | ArrayLike<number>;
  y: readonly number[] | ArrayLike<number>;
}

export interface PlotFrame {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Logarithmic y axis (points with y <= 0 are dropped). */
  logY?: boolean;
  /** Fixed y range, e.g. `[0, 1]` for accuracies; marks outside it are clipped. */
  yDomain?: [number, number];
  /** Size of the plotting area in pixels (axes, title and legend come on top). Default 480×300. */
  width?: number;
  height?: number;
}

export interface LinePlotOptions extends PlotFrame {
  /** One line per series, in legend order. Points with a non-finite x or y are dropped. */
  series: readonly LineSeries[];
  /** Draw a dot at every point; default: when no series has more than 50 points. */
  points?: boolean;
  /** Whole-number x ticks only (epochs, layer indices). */
  integerX?: boolean;
}

export interface BarPlotOptions extends PlotFrame {
  /** Bar labels along the x axis, in this order. */
  categories: readonly string[];
  /**
   * One value per category for each series (`values[i]` belongs to
   * `categories[i]`). Several series give grouped bars with a legend; a single
   * one gives plain bars. Non-finite values are dropped.
   */
  series: readonly { name: string; values: readonly number[] | ArrayLike<number> }[];
}

// ---- loading vega --------------------------------------------------------

interface VegaLogger {
  level(): number;
}
interface VegaView {
  toSVG(scaleFactor?: number): Promise<string>;
  finalize(): void;
}
interface VegaModule {
  parse(spec: unknown, config?: unknown): unknown;
  View: new (runtime: unknown, options: { renderer: 'none'; logger: VegaLogger }) => VegaView;
  logger(level: number): VegaLogger;
  Error: number;
  resetSVGDefIds(): void;
}
interface VegaLiteModule {
  compile(spec: unknown, options?: { logger?: VegaLogger }): { spec: unknown };
}

/** A real `import()` (TypeScript's CommonJS output would turn a literal one into `require`). */
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

let loading: Promise<{ vega: VegaModule; vegaLite: VegaLiteModule }> | undefined;

function loadVega(): Promise<{ vega: VegaModule; vegaLite: VegaLiteModule }> {
  loading ??= (async () => {
    const load = (name: string): Promise<unknown> => importModule(pathToFileURL(require.resolve(name)).href);
    try {
      const [vega, vegaLite] = await Promise.all([load('vega'), load('vega-lite')]);
      return { vega: vega as VegaModule, vegaLite: vegaLite as VegaLiteModule };
    } catch (err) {
      loading = undefined;
      throw new Error(`plots need the npm packages vega and vega-lite: ${(err as Error).message}`);
    }
  })();
  return loading;
}

let renderQueue: Promise<unknown> = Promise.resolve();

/** Renders a vega-lite spec to SVG text; renders run one at a time so vega's id counters stay deterministic. */
export function renderVegaLite(spec: Record<string, unknown>): Promise<string> {
  const result = renderQueue.then(async () => {
    const { vega, vegaLite } = await loadVega();
    const logger = vega.logger(vega.Error);
    const compiled = vegaLite.compile(spec, { logger }).spec;
    const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger });
    try {
      vega.resetSVGDefIds();
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  });
  renderQueue = result.catch(() => undefined);
  return result;
}

// ---- specs -----------------------------------------------------------------

const FONT = 'Helvetica, Arial, sans-serif';

function baseSpec(options: PlotFrame, data: Record<string, unknown>[]): Record<string, unknown> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: options.title, fontSize: 14 },
    width: options.width ?? 480,
    height: options.height ?? 300,
    background: 'white',
    padding: 8,
    data: { values: data },
    config: {
      font: FONT,
      axis: { labelFontSize: 11, titleFontSize: 12 },
      legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 400 },
      range: { category: { scheme: 'tableau10' } },
    },
  };
}

function yScale(options: PlotFrame, zero: boolean): Record<string, unknown> {
  const scale: Record<string, unknown> = { type: options.logY ? 'log' : 'linear', zero: options.logY ? false : zero };
  if (options.yDomain) {
    const [lo, hi] = options.yDomain;
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
      throw new RangeError(`yDomain must be two finite numbers [low, high] with low < high, not [${lo}, ${hi}]`);
    }
    scale.domain = [lo, hi];
  }
  return scale;
}

const keep = (y: number, logY: boolean | undefined): boolean => Number.isFinite(y) && (!logY || y > 0);

/** A line per series: legend with the series names, axis titles, dots when there are few points. */
export function linePlot(options: LinePlotOptions): Promise<string> {
  const data: Record<string, unknown>[] = [];
  let longest = 0;
  for (const s of options.series) {
    if (s.x.length !== s.y.length) {
      throw new ShapeError(`series "${s.name}" has ${s.x.length} x values but ${s.y.length} y values`);
    }
    longest = Math.max(longest, s.x.length);
    for (let i = 0; i < s.x.length; i++) {
      const x = Number(s.x[i]);
      const y = Number(s.y[i]);
      if (Number.isFinite(x) && keep(y, options.logY)) data.push({ series: s.name, x, y });
    }
  }
  const names = options.series.map((s) => s.name);
  const spec = baseSpec(options, data);
  spec.mark = { type: 'line', point: options.points ?? longest <= 50, clip: true, strokeWidth: 2 };
  spec.encoding = {
    x: {
      field: 'x', type: 'quantitative', title: options.xLabel, scale: { zero: false },
      ...(options.integerX ? { axis: { tickMinStep: 1, format: 'd' } } : {}),
    },
    y: { field: 'y', type: 'quantitative', title: options.yLabel, scale: yScale(options, false) },
    color: { field: 'series', type: 'nominal', title: null, scale: { domain: names }, legend: { orient: 'right' } },
  };
  return renderVegaLite(spec);
}

/** Bars per category; with several series, grouped bars side by side and a legend. */
export function barPlot(options: BarPlotOptions): Promise<string> {
  const categories = [...options.categories];
  if (new Set(categories).size !== categories.length) throw new RangeError('barPlot categories must be distinct');
  const data: Record<string, unknown>[] = [];
  for (const s of options.series) {
    if (s.values.length !== categories.length) {
      throw new ShapeError(`series "${s.name}" has ${s.values.length} values for ${categories.length} categories`);
    }
    for (let i = 0; i < categories.length; i++) {
      const value = Number(s.values[i]);
      if (keep(value, options.logY)) data.push({ series: s.name, category: categories[i], value });
    }
  }
  const names = options.series.map((s) => s.name);
  const grouped = names.length > 1;
  const spec = baseSpec(options, data);
  spec.mark = { type: 'bar', clip: true };
  const longLabels = categories.some((c) => c.length > 8);
  spec.encoding = {
    x: {
      field: 'category',
      type: 'nominal',
      sort: categories,
      scale: { domain: categories },
      title: options.xLabel,
      axis: longLabels ? { labelAngle: -45, labelAlign: 'right' } : { labelAngle: 0 },
    },
    y: { field: 'value', type: 'quantitative', title: options.yLabel, scale: yScale(options, true) },
    color: grouped
      ? { field: 'series', type: 'nominal', title: null, scale: { domain: names }, legend: { orient: 'right' } }
      : { value: '#4c78a8' },
    ...(grouped ? { xOffset: { field: 'series', type: 'nominal', scale: { domain: names } } } : {}),
  };
  return renderVegaLite(spec);
}

/** Renders {@link linePlot} and writes the SVG to `file` atomically. */
export async function savePlot(file: string, options: LinePlotOptions): Promise<void> {
  writeFileAtomic(file, await linePlot(options));
}

/** Renders {@link barPlot} and writes the SVG to `file` atomically. */
export async function saveBarPlot(file: string, options: BarPlotOptions): Promise<void> {
  writeFileAtomic(file, await barPlot(options));
}
