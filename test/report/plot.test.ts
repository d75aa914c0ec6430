import test from 'ava';
import * as fs from 'fs';
import * as path from 'path';
import { ShapeError } from '../../src/errors';
import { barPlot, linePlot, saveBarPlot, savePlot, type LinePlotOptions } from '../../src/report/plot';
import { tempDir } from './tmpdir';

const epochs = Array.from({ length: 30 }, (_, i) => i + 1);
const lossPlot = (testLoss: number[] = epochs.map((e) => Math.exp(-e / 8) + 0.01)): LinePlotOptions => ({
  title: 'Loss vs epoch',
  xLabel: 'epoch number',
  yLabel: 'cross-entropy',
  series: [
    { name: 'train loss', x: epochs, y: epochs.map((e) => Math.exp(-e / 10)) },
    { name: 'test loss', x: epochs, y: testLoss },
  ],
});

test('linePlot renders SVG with title, axis titles and series names, deterministically', async (t) => {
  const svg = await linePlot(lossPlot());
  t.true(svg.startsWith('<svg'));
  for (const text of ['Loss vs epoch', 'epoch number', 'cross-entropy', 'train loss', 'test loss']) t.true(svg.includes(text), text);
  t.true(svg.includes('role-legend'));
  // a different plot in between must not change the next render (vega's id counters are reset)
  await linePlot({ ...lossPlot(), title: 'other', logY: true, yDomain: [0.01, 1] });
  t.is(await linePlot(lossPlot()), svg);
});

test('linePlot drops NaN and Infinity points instead of failing', async (t) => {
  const clean = epochs.map((e) => Math.exp(-e / 8) + 0.01);
  const dirty = clean.map((v, i) => (i === 4 ? NaN : i === 7 ? Infinity : v));
  const withHoles = await linePlot(lossPlot(dirty));
  const keep = (_: unknown, i: number) => i !== 4 && i !== 7;
  const removed = lossPlot();
  removed.series = [removed.series[0], { name: 'test loss', x: epochs.filter(keep), y: clean.filter(keep) }];
  t.is(withHoles, await linePlot(removed));
  const nothing = await linePlot({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'nan', x: [1, 2], y: [NaN, NaN] }] });
  t.true(nothing.startsWith('<svg'));
  await t.throwsAsync(async () => linePlot({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', x: [1, 2], y: [1] }] }),
    { instanceOf: ShapeError, message: /series "s" has 2 x values but 1 y values/ });
});

test('barPlot renders categories, grouped series and a legend', async (t) => {
  const svg = await barPlot({
    title: 'Accuracy by init',
    xLabel: 'initialisation',
    yLabel: 'accuracy',
    categories: ['d=0.01', 'd=0.1', 'd=2', 'xavier'],
    series: [{ name: 'train', values: [0.1, 0.9, NaN, 0.95] }, { name: 'test', values: [0.1, 0.88, 0.4, 0.93] }],
    yDomain: [0, 1],
  });
  for (const text of ['Accuracy by init', 'initialisation', 'accuracy', 'd=0.01', 'xavier', 'train', 'test']) t.true(svg.includes(text), text);
  const bars = svg.slice(svg.indexOf('mark-rect role-mark'));
  t.is((bars.slice(0, bars.indexOf('</g>')).match(/<path/g) ?? []).length, 7); // 8 values, the NaN dropped
  const single = await barPlot({ title: 'one', xLabel: 'k', yLabel: 'v', categories: ['a', 'b'], series: [{ name: 'v', values: [1, 2] }] });
  t.false(single.includes('role-legend'));
});

test('savePlot and saveBarPlot write the SVG atomically', async (t) => {
  const dir = tempDir(t);
  await savePlot(path.join(dir, 'loss.svg'), lossPlot());
  await saveBarPlot(path.join(dir, 'bar.svg'), { title: 'b', xLabel: 'k', yLabel: 'v', categories: ['a'], series: [{ name: 'v', values: [1] }] });
  t.deepEqual(fs.readdirSync(dir).sort(), ['bar.svg', 'loss.svg']);
  t.true(fs.readFileSync(path.join(dir, 'loss.svg'), 'utf8').includes('Loss vs epoch'));
});

test('linePlot integerX keeps only whole-number x ticks', async (t) => {
  const options: LinePlotOptions = { title: 't', xLabel: 'epoch', yLabel: 'y', series: [{ name: 's', x: [0, 1, 2, 3, 4, 5], y: [100, 200, 300, 200, 100, 150] }] };
  t.true((await linePlot(options)).includes('>0.5<'), 'the default axis has half-epoch ticks');
  const svg = await linePlot({ ...options, integerX: true });
  t.false(/>\d\.\d</.test(svg), 'no fractional ticks on either axis');
  for (const tick of ['>0<', '>1<', '>5<']) t.true(svg.includes(tick), tick);
});
