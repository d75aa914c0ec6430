/** Data sets: IDX files, MNIST / Fashion-MNIST / CIFAR-10 / Boston / Iris loaders, numeric CSV, standardisation, sampling, splits, minibatches. */
export { DataError } from './errors';
export { encodeIdx, parseIdx, readIdx, readIdxCached, writeIdx } from './idx';
export type { IdxFile } from './idx';
export { clearDataCache, dataCacheStats } from './cache';
export {
  FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, idxFileNames, loadFashionMnist, loadMnist, mnistDataDir,
} from './mnist';
export type { MnistOptions, Split } from './mnist';
export { CIFAR10_CLASSES, CIFAR10_RECORD_BYTES, loadCifar10 } from './cifar10';
export type { Cifar10Options } from './cifar10';
export {
  classBalancedSubsample, featureCount, gatherRows, MinibatchLoader, randomSplit, sampleBatch, stratifiedSplit, subset, toTensor,
} from './dataset';
export { BOSTON_FEATURES, BOSTON_TARGET, bostonCsvPath, loadBoston } from './boston';
export type { RegressionDataset } from './boston';
export { IRIS_CLASSES, IRIS_FEATURES, IRIS_PACKAGE, irisSplit, loadIris, trainValidationTestSplit } from './iris';
export type { ClassificationDataset, TrainValidationTestSplit } from './iris';
export { parseNumericCsv, readNumericCsv } from './csv';
export type { NumericTable } from './csv';
export { Standardizer } from './standardize';
export type { ImageDataset, Minibatch, MinibatchLoaderOptions, ToTensorOptions } from './dataset';
