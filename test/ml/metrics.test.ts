/** ml metrics: accuracyScore, confusionMatrix (scikit-learn's answers and orientation), supportVectorRatio; their errors. */
import test from 'ava';
import { accuracyScore, confusionMatrix, supportVectorRatio } from '../../src/ml/metrics';

/*
 * scikit-learn 1.2.1 in Debian's /usr/bin/python3:
 *
 *   from sklearn.metrics import confusion_matrix, accuracy_score
 *   yt = [2, 0, 2, 2, 0, 1, 5, 1]; yp = [0, 0, 2, 2, 0, 2, 1, 3]
 *   accuracy_score(yt, yp)                         # 0.5
 *   confusion_matrix(yt, yp)                       # [[2,0,0,0,0],[0,0,1,1,0],[1,0,2,0,0],[0,0,0,0,0],[0,1,0,0,0]]
 *   confusion_matrix(yt, yp, labels=[2, 0, 7])     # [[2,1,0],[0,2,0],[0,0,0]]
 *   confusion_matrix(yt, yp, labels=[7, 3])        # ValueError: At least one label specified must be in y_true
 *   confusion_matrix(yt, yp, labels=[])            # ValueError: 'labels' should contains at least one label.
 */
const yt = [2, 0, 2, 2, 0, 1, 5, 1];
const yp = [0, 0, 2, 2, 0, 2, 1, 3];

test('accuracyScore: the fraction of equal labels, any integer array type', (t) => {
  t.is(accuracyScore(yt, yp), 0.5);
  t.is(accuracyScore(Int32Array.from(yt), Float64Array.from(yt)), 1);
  t.is(accuracyScore([1], [0]), 0);
  t.is(accuracyScore([-3, 7, 7], [-3, 7, 1]), 2 / 3);
});

test('confusionMatrix: scikit-learn\'s matrix, rows true and columns predicted, labels ascending by default', (t) => {
  const cm = confusionMatrix(yt, yp);
  t.deepEqual(Array.from(cm.labels), [0, 1, 2, 3, 5]);
  t.deepEqual(cm.rows, [[2, 0, 0, 0, 0], [0, 0, 1, 1, 0], [1, 0, 2, 0, 0], [0, 0, 0, 0, 0], [0, 1, 0, 0, 0]]);
  t.true(cm.matrix instanceof Int32Array);
  t.deepEqual(Array.from(cm.matrix), cm.rows.flat());
  // The trace over the total is the accuracy.
  const L = cm.labels.length;
  let trace = 0;
  for (let i = 0; i < L; i++) trace += cm.matrix[i * L + i];
  t.is(trace / yt.length, accuracyScore(yt, yp));
  // Given labels: that order, others left out, unseen labels get zero rows.
  const some = confusionMatrix(yt, yp, [2, 0, 7]);
  t.deepEqual(Array.from(some.labels), [2, 0, 7]);
  t.deepEqual(some.rows, [[2, 1, 0], [0, 2, 0], [0, 0, 0]]);
  t.deepEqual(confusionMatrix([1, 1], [1, 1]).rows, [[2]]);
});

test('confusionMatrix / accuracyScore errors name the arguments', (t) => {
  for (const [fn, name] of [[accuracyScore, 'accuracyScore'], [(a: number[], b: number[]) => confusionMatrix(a, b), 'confusionMatrix']] as const) {
    t.throws(() => fn([1, 2, 3], [1, 2]), { instanceOf: RangeError, message: `${name}: yTrue has 3 labels but yPred has 2; they must have the same length` });
    t.throws(() => fn([], []), { instanceOf: RangeError, message: `${name}: yTrue and yPred are empty; give at least one sample` });
    t.throws(() => fn([1, 2.5], [1, 2]), { instanceOf: RangeError, message: `${name}: yTrue[1] is 2.5; labels must be 32-bit integers` });
    t.throws(() => fn([1, 2], [NaN, 2]), { instanceOf: RangeError, message: `${name}: yPred[0] is NaN; labels must be 32-bit integers` });
    t.throws(() => fn(null as unknown as number[], [1]), { instanceOf: TypeError, message: `${name}: yTrue must be an array of integer labels, got null` });
  }
  t.throws(() => confusionMatrix(yt, yp, [7, 3]), { instanceOf: RangeError, message: 'confusionMatrix: none of labels [7, 3] occurs in yTrue' });
  t.throws(() => confusionMatrix(yt, yp, []), { instanceOf: RangeError, message: 'confusionMatrix: labels is empty; give at least one label' });
  t.throws(() => confusionMatrix(yt, yp, [0, 2, 0]), { instanceOf: RangeError, message: 'confusionMatrix: labels[2] repeats the label 0; labels must be distinct' });
});

test('supportVectorRatio: a count or per-class counts over the training samples', (t) => {
  t.is(supportVectorRatio(472, 800), 0.59);
  t.is(supportVectorRatio([40, 30, 2], 80), 0.9);
  t.is(supportVectorRatio(Int32Array.from([0, 0]), 5), 0);
  t.is(supportVectorRatio(10, 10), 1);
  t.throws(() => supportVectorRatio(11, 10), { instanceOf: RangeError, message: 'supportVectorRatio: nSupportVectors must be an integer in [0, nTrainingSamples = 10], got 11' });
  t.throws(() => supportVectorRatio(-1, 10), { instanceOf: RangeError, message: /got -1$/ });
  t.throws(() => supportVectorRatio(2.5, 10), { instanceOf: RangeError, message: /got 2.5$/ });
  t.throws(() => supportVectorRatio(1, 0), { instanceOf: RangeError, message: 'supportVectorRatio: nTrainingSamples must be a positive integer, got 0' });
  t.throws(() => supportVectorRatio([1, -2], 10), { instanceOf: RangeError, message: 'supportVectorRatio: nSupportVectors[1] must be a non-negative integer, got -2' });
  t.throws(() => supportVectorRatio('3' as unknown as number, 10), { instanceOf: TypeError, message: 'supportVectorRatio: nSupportVectors must be a number or an array of counts per class, got string' });
});
