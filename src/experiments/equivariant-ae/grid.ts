/** Reconstruction grids: per rotation 0/90/180/270°, a row of test digits and a row of their reconstructions. */
import { noGrad } from '../../autograd/mode';
import type { Backend } from '../../backend/backend';
import { imageGridPng, type GridImage } from '../../report/image';
import { Tensor } from '../../tensor/tensor';
import type { BuiltModel } from './models';
import { PIXELS, SIDE } from './train';

export async function saveReconstructionGrid(file: string, model: BuiltModel, rotated: readonly Float32Array[],
                                             count: number, be: Backend): Promise<void> {
  model.module.eval();
  const images: GridImage[] = [];
  const cell = (pixels: ArrayLike<number>): GridImage => ({ pixels, width: SIDE, height: SIDE });
  noGrad(() => {
    for (const set of rotated) {
      const x = set.subarray(0, count * PIXELS);
      const out = model.module.forward(new Tensor(x, [count, PIXELS], be)).toTypedArray();
      for (let i = 0; i < count; i++) images.push(cell(x.subarray(i * PIXELS, (i + 1) * PIXELS)));
      for (let i = 0; i < count; i++) images.push(cell(out.subarray(i * PIXELS, (i + 1) * PIXELS)));
    }
  });
  await imageGridPng(file, images, { columns: count, scale: 2 });
}
