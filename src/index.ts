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
export { Generator, defaultGenerator, manualSeed } from './random';
export { BackendUnavailableError, DTypeError, ShapeError } from './errors';
