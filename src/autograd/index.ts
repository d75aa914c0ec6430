export { backward, computeGradients, grad } from './graph';
export { gradcheck, type GradcheckOptions, type GradcheckResult } from './gradcheck';
export { jvp } from './jvp';
export { enableGrad, isGradEnabled, noGrad } from './mode';
export type { OpName } from './ops';
