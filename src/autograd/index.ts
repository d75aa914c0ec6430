export { backward, computeGradients, grad } from './graph';
export { gradcheck, type GradcheckOptions, type GradcheckResult } from './gradcheck';
export { jacobian, type JacobianOptions } from './jacobian';
export { jvp } from './jvp';
export { enableGrad, isGradEnabled, noGrad } from './mode';
export type { OpName } from './ops';
