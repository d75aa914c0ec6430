/**
 * nn.modular: the layer contract of the course's "neural nets package"
 * (seed 003) — layers with `parameters`, `gradients` and `cache`,
 * `forward(X)` and `backward(dLdY) → dLdX` written by hand (batched, on the
 * backends' kernels, autograd off), the cross-entropy cost, a Model that
 * chains them, SGD with momentum, the initialisers and a float64 gradient
 * checker for any of them.
 */
export { LayerBase, LayerStateError, defaultLayerName, type Layer, type TensorMap } from './layer';
export { ACTIVATION_NAMES, Activation, Linear, ReLU, Softmax, activationFromName, type ActivationName } from './activations';
export { FullyConnected, type FullyConnectedOptions } from './layers';
export { CrossEntropy } from './losses';
export { Model, Sequential } from './model';
export { SGD, type SGDOptions } from './optimizers';
export {
  INIT_NAMES, fans, heNormal, heUniform, initWeights, initializer, normal, uniform, xavierNormal, xavierUniform,
  type InitName, type InitOptions, type WeightInitializer,
} from './weights';
export {
  checkGradients, checkLossGradient, formatGradientCheck, relativeError,
  type GradientCheckOptions, type GradientCheckResult, type TensorCheck,
} from './gradcheck';
export { oneHot } from '../activations';
