export { Tensor, allocate, dtypeOf, getDefaultDType, setDefaultDType } from './tensor';
export type { NestedArray, RandomOptions, TensorOptions } from './tensor';
export * from './shape';
