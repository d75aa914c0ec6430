/**
 * gradnode: tensors over a pure-TS reference backend and native OpenBLAS
 * kernels. `import { Tensor } from 'gradnode'`.
 */
export { Tensor, allocate, getDefaultDType, setDefaultDType } from './tensor';
export type { NestedArray, RandomOptions, TensorOptions } from './tensor';
export {
  availableBackends, backend, getBackend, isAvailable, setBackend, unavailableReason, BACKEND_NAMES,
} from './backend';
export type { Backend, BackendName, DType, FloatArray } from './backend';
export type { DeviceArray, Storage } from './backend/backend';
export { Generator, defaultGenerator, manualSeed } from './random';
export {
  BackendUnavailableError, CudaError, CudaOutOfMemoryError, DeviceMemoryError, DTypeError, ShapeError, SingularMatrixError,
} from './errors';
export * as autograd from './autograd';
export { noGrad, enableGrad, grad, jvp, jacobian, gradcheck } from './autograd';
export * as nn from './nn';
export * as optim from './optim';
export * as data from './data';
export * as io from './io';
export * as linalg from './linalg';
export * as ml from './ml';
export * as report from './report';
export * as cuda from './cuda';
