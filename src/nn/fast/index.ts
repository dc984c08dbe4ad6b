/**
 * The fast MLP engine: small dense networks computed directly on typed arrays (forward,
 * exact backward, orthogonal init, Adam, gradient clipping) for rxrl's built-in policies,
 * where TensorFlow.js's per-op overhead would dominate. TensorFlow.js remains the path for
 * user-defined models.
 * @module
 */
export { Adam, clipGradNorm, type AdamOptions, type AdamState } from './adam.js';
export { RmsProp, type RmsPropOptions, type RmsPropState } from './rmsprop.js';
export { initFanInUniform, initOrthogonal, orthogonal, type OrthogonalInitOptions } from './init.js';
export { LAYER_NORM_EPS, layerNormBackward, layerNormForward } from './layer-norm.js';
export { LayerNormMlp, type LayerNormMlpOptions } from './layer-norm-mlp.js';
export {
  FastMlp,
  type DenseWeights,
  type FastMlpOptions,
  type FloatArray,
  type FloatArrayConstructor,
  type HiddenActivation,
  type LayerLayout,
  type OutputActivation,
} from './mlp.js';
export { FastArena, fastEngineInfo, type FastEngineInfo, type FastKernels } from './arena.js';
export { fastTanh, tanhInPlace } from './tanh.js';
export { polyakUpdate } from './polyak.js';
