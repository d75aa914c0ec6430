/** Every subcommand of dist/run.js, in the order `--help` lists them. */
import type { Command } from './cli/command';
import { doctor } from './cli/doctor';
import { cnn } from './experiments/cnn';
import { denseRes } from './experiments/dense-res';
import { equivariantAe } from './experiments/equivariant-ae';
import { fashionMlp } from './experiments/fashion-mlp';
import { handcrafted } from './experiments/handcrafted';
import { initStudy } from './experiments/init-study';
import { iris } from './experiments/iris';
import { jacobianCommand } from './experiments/jacobian';
import { learningCurves } from './experiments/learning-curves';
import { logcosh } from './experiments/logcosh';
import { invariance } from './experiments/invariance';
import { leastSquares } from './experiments/least-squares';
import { mlp } from './experiments/mlp';
import { scratchNn } from './experiments/scratch-nn';

export const commands: readonly Command[] = [mlp, learningCurves, denseRes, scratchNn, invariance, equivariantAe,
  logcosh, jacobianCommand, handcrafted, initStudy, leastSquares, cnn, fashionMlp, iris, doctor];
