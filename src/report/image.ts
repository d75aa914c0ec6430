/**
 * Image grids as PNG (e.g. MNIST digits and their reconstructions), written
 * with sharp from a raw RGB buffer.
 *
 * Layout: every image is upscaled by `scale` (nearest neighbour) into a cell
 * of `cellWidth = maxWidth × scale` by `cellHeight = maxHeight × scale`
 * (smaller images sit in the cell's top-left corner); cells are laid out row
 * by row, `cols = min(columns, images.length)` per row,
 * `rows = ceil(images.length / cols)`, with `padding` pixels of background
 * between cells and around the edge:
 *
 *     PNG width  = padding + cols × (cellWidth + padding)
 *     PNG height = padding + rows × (cellHeight + padding)
 */

import sharp from 'sharp';
import { ShapeError } from '../errors';
import { writeFileAtomic } from './files';

export interface GridImage {
  /** `height × width` values for one channel, `3 × height × width` (CHW, planar) for three. */
  pixels: ArrayLike<number>;
  width: number;
  height: number;
  /** 1 (grey, default) or 3 (RGB, CHW layout). */
  channels?: 1 | 3;
}

export interface ImageGridOptions {
  columns: number;
  /** Integer nearest-neighbour upscale factor, default 3. */
  scale?: number;
  /** Background pixels between cells and around the edge, default 2. */
  padding?: number;
  /**
   * How values map to intensity: `clip01` (default) reads values in [0, 1]
   * and clips the rest; `minmax` stretches each image's own min..max to
   * 0..1; `byte` reads values in [0, 255]. NaN is drawn black.
   */
  normalize?: 'clip01' | 'minmax' | 'byte';
  /** Grey level of the background, 0..1, default 0.5. */
  background?: number;
}

/** Size in pixels of the grid PNG for these images and options (see the module comment). */
export function imageGridSize(images: readonly GridImage[], options: ImageGridOptions): { width: number; height: number } {
  const { scale, padding, cols } = checkOptions(images, options);
  const cellWidth = Math.max(...images.map((im) => im.width)) * scale;
  const cellHeight = Math.max(...images.map((im) => im.height)) * scale;
  const rows = Math.ceil(images.length / cols);
  return { width: padding + cols * (cellWidth + padding), height: padding + rows * (cellHeight + padding) };
}

function checkOptions(images: readonly GridImage[], options: ImageGridOptions): { scale: number; padding: number; cols: number } {
  const scale = options.scale ?? 3;
  const padding = options.padding ?? 2;
  if (images.length === 0) throw new RangeError('imageGridPng needs at least one image');
  if (!Number.isInteger(options.columns) || options.columns < 1) {
    throw new RangeError(`imageGridPng columns must be a positive integer, not ${options.columns}`);
  }
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`imageGridPng scale must be a positive integer, not ${scale}`);
  if (!Number.isInteger(padding) || padding < 0) {
    throw new RangeError(`imageGridPng padding must be a non-negative integer, not ${padding}`);
  }
  images.forEach((im, i) => {
    const channels = im.channels ?? 1;
    if (!Number.isInteger(im.width) || !Number.isInteger(im.height) || im.width < 1 || im.height < 1) {
      throw new ShapeError(`image ${i}: width and height must be positive integers, not ${im.width}×${im.height}`);
    }
    if (channels !== 1 && channels !== 3) throw new RangeError(`image ${i}: channels must be 1 or 3, not ${String(channels)}`);
    if (im.pixels.length !== channels * im.width * im.height) {
      throw new ShapeError(`image ${i}: ${im.pixels.length} pixels for ${channels}×${im.height}×${im.width} (= ${channels * im.width * im.height})`);
    }
  });
  return { scale, padding, cols: Math.min(options.columns, images.length) };
}

/** Maps one image's values to bytes 0..255 according to `normalize`. */
function toBytes(pixels: ArrayLike<number>, normalize: NonNullable<ImageGridOptions['normalize']>): Uint8Array {
  let offset = 0;
  let factor = 255;
  if (normalize === 'byte') factor = 1;
  if (normalize === 'minmax') {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < pixels.length; i++) {
      const v = pixels[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (max > min) {
      offset = min;
      factor = 255 / (max - min);
    }
  }
  const out = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const v = Math.round((pixels[i] - offset) * factor);
    out[i] = Number.isNaN(v) ? 0 : v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}

/** The grid as a raw interleaved RGB buffer (what {@link imageGridPng} encodes). */
export function imageGridRgb(images: readonly GridImage[], options: ImageGridOptions): { data: Uint8Array; width: number; height: number } {
  const { scale, padding, cols } = checkOptions(images, options);
  const { width, height } = imageGridSize(images, options);
  const cellWidth = Math.max(...images.map((im) => im.width)) * scale;
  const cellHeight = Math.max(...images.map((im) => im.height)) * scale;
  const background = Math.round(Math.min(1, Math.max(0, options.background ?? 0.5)) * 255);
  const data = new Uint8Array(width * height * 3).fill(background);
  images.forEach((im, index) => {
    const channels = im.channels ?? 1;
    const bytes = toBytes(im.pixels, options.normalize ?? 'clip01');
    const plane = im.width * im.height;
    const left = padding + (index % cols) * (cellWidth + padding);
    const top = padding + Math.floor(index / cols) * (cellHeight + padding);
    for (let y = 0; y < im.height * scale; y++) {
      const sy = Math.floor(y / scale);
      let out = ((top + y) * width + left) * 3;
      for (let x = 0; x < im.width * scale; x++, out += 3) {
        const source = sy * im.width + Math.floor(x / scale);
        for (let c = 0; c < 3; c++) data[out + c] = bytes[channels === 3 ? c * plane + source : source];
      }
    }
  });
  return { data, width, height };
}

/** Writes the images as one PNG grid (see the module comment for the layout), atomically. */
export async function imageGridPng(file: string, images: readonly GridImage[], options: ImageGridOptions): Promise<void> {
  const { data, width, height } = imageGridRgb(images, options);
  const png = await sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
  writeFileAtomic(file, png);
}
