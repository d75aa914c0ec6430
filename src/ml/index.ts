/**
 * Classical machine learning on tensors, in scikit-learn's terms: kernel
 * SVMs (libsvm's SMO, one-vs-one), standardisation, PCA, grid search with
 * stratified k-fold, metrics, and the image pieces of the SVM experiment
 * (OpenCV's bilinear resize, scikit-image's Gabor filters, scipy's
 * boundary-mode convolution).
 *
 *     import { ml } from 'gradnode';
 *     const scaler = new ml.StandardScaler().fit(X);
 *     const pca = new ml.PCA(0.95).fit(scaler.transform(X));
 *     const clf = new ml.SVC({ C: 10, gamma: 'scale' }).fit(pca.transform(scaler.transform(X)), y);
 */
export type { Classifier, ClassifierFactory, Labels, ParamValue, Params } from './estimator';
export { SVC, resolveGamma, type Gamma, type SVCOptions } from './svc';
export { StandardScaler, type StandardScalerOptions } from './preprocessing';
export { PCA, type PCAOptions, type PCASolver } from './pca';
export { accuracyScore, confusionMatrix, supportVectorRatio, type ConfusionMatrix } from './metrics';
export {
  GridSearchCV, parameterGrid, stratifiedKFold,
  type CVResultRow, type CandidateResult, type Fold, type GridSearchCVOptions, type ParamGrid,
} from './model_selection';
export { resize } from './resize';
export { convolve2d, convolutionOperator, type BoundaryMode, type ConvolveOptions } from './filter';
export { gabor, gaborBank, gaborFeatures, gaborKernel, type GaborOptions } from './gabor';
export { SVC_KERNELS, type SvcKernel } from '../backend/backend';
