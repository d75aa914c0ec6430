import test from 'ava';
import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { ShapeError } from '../../src/errors';
import { imageGridPng, imageGridSize, type GridImage } from '../../src/report/image';
import { tempDir } from './tmpdir';

async function readRgb(file: string) {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
  return { info, at };
}

test('grid PNG has the documented size and the right pixels', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'grid.png');
  // 2×2 grey images; the first has one white pixel at (x=1, y=0)
  const images: GridImage[] = [
    { pixels: [0, 1, 0, 0], width: 2, height: 2 },
    { pixels: [0.5, 0.5, 0.5, 0.5], width: 2, height: 2 },
    // RGB in CHW: red plane all 1, green and blue 0
    { pixels: [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0], width: 2, height: 2, channels: 3 },
  ];
  const options = { columns: 2, scale: 3, padding: 1 };
  await imageGridPng(file, images, options);
  t.deepEqual(fs.readdirSync(dir), ['grid.png']);
  const { info, at } = await readRgb(file);
  // width = padding + columns × (2·3 + padding) = 1 + 2 × 7; two rows likewise
  t.is(info.width, 15);
  t.is(info.height, 15);
  t.deepEqual(imageGridSize(images, options), { width: 15, height: 15 });
  t.deepEqual(at(0, 0), [128, 128, 128]); // padding
  for (const [x, y] of [[4, 1], [6, 3], [5, 2]]) t.deepEqual(at(x, y), [255, 255, 255], `white at ${x},${y}`);
  for (const [x, y] of [[1, 1], [3, 3], [4, 4], [6, 6]]) t.deepEqual(at(x, y), [0, 0, 0], `black at ${x},${y}`);
  t.deepEqual(at(7, 3), [128, 128, 128]); // padding between cells
  t.deepEqual(at(8, 1), [128, 128, 128]); // grey 0.5 → 128
  t.deepEqual(at(1, 8), [255, 0, 0]); // red image in the second row
  t.deepEqual(at(9, 9), [128, 128, 128]); // empty cell is background
});

test('defaults (scale 3, padding 2), minmax and byte normalisation, fewer images than columns', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'g.png');
  await imageGridPng(file, [{ pixels: [2, 4, 3, NaN], width: 2, height: 2 }], { columns: 8, normalize: 'minmax' });
  const { info, at } = await readRgb(file);
  t.deepEqual([info.width, info.height], [2 + 6 + 2, 2 + 6 + 2]);
  t.deepEqual(at(2, 2), [0, 0, 0]);
  t.deepEqual(at(5, 2), [255, 255, 255]);
  t.deepEqual(at(2, 5), [128, 128, 128]);
  t.deepEqual(at(5, 5), [0, 0, 0]); // NaN → black
  await imageGridPng(file, [{ pixels: [0, 255, 300, 7], width: 4, height: 1 }], { columns: 1, scale: 1, padding: 0, normalize: 'byte' });
  const bytes = await readRgb(file);
  t.deepEqual([0, 1, 2, 3].map((x) => bytes.at(x, 0)[0]), [0, 255, 255, 7]);
});

test('bad images are refused with messages that name the image', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'bad.png');
  await t.throwsAsync(imageGridPng(file, [{ pixels: [0, 0, 0], width: 2, height: 2 }], { columns: 1 }),
    { instanceOf: ShapeError, message: /image 0: 3 pixels for 1×2×2/ });
  await t.throwsAsync(imageGridPng(file, [], { columns: 1 }), { instanceOf: RangeError });
  await t.throwsAsync(imageGridPng(file, [{ pixels: [0], width: 1, height: 1 }], { columns: 0 }), { instanceOf: RangeError });
  t.deepEqual(fs.readdirSync(dir), []);
});
