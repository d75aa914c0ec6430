export * as functional from './functional';
export * as init from './init';
export { Module } from './module';
export {
  Identity, LayerNorm, Linear, LogSoftmax, ReLU, Sequential, Sigmoid, Softmax, Tanh, initialize,
  type Initializer, type LayerOptions,
} from './layers';
export { CrossEntropyLoss, LogCoshLoss, MSELoss, NLLLoss } from './losses';
export { Conv2d, Flatten, MaxPool2d, type Conv2dLayerOptions } from './conv_layers';
export * as equivariant from './equivariant';
export * as modular from './modular';
