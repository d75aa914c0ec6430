"""scikit-learn 1.2 peer of bench/svm.js: SVC fit / predict, or the whole GridSearchCV, on the files it writes.

    /usr/bin/python3 bench/peers/svm_sklearn.py --data DIR --task fit|grid [--repeats 3]

Prints one JSON line per repeat (seconds, accuracy, support-vector ratio; for grid the best params and CV score).
"""
import argparse, json, time
import numpy as np
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC

p = argparse.ArgumentParser()
p.add_argument('--data', required=True)
p.add_argument('--task', choices=['fit', 'grid'], default='fit')
p.add_argument('--repeats', type=int, default=1)
a = p.parse_args()
meta = json.load(open(f'{a.data}/meta.json'))
d = meta['features']
Xtr = np.fromfile(f'{a.data}/Xtrain.f32', dtype=np.float32).reshape(-1, d)
Xva = np.fromfile(f'{a.data}/Xval.f32', dtype=np.float32).reshape(-1, d)
ytr, yva = np.array(meta['ytrain']), np.array(meta['yval'])
for _ in range(a.repeats):
    if a.task == 'fit':
        t = time.perf_counter(); clf = SVC(C=1.0, kernel='rbf', gamma='auto').fit(Xtr, ytr); fit = time.perf_counter() - t
        t = time.perf_counter(); acc = clf.score(Xva, yva); pred = time.perf_counter() - t
        print(json.dumps({'fitSeconds': fit, 'predictSeconds': pred, 'accuracy': acc, 'svRatio': int(clf.n_support_.sum()) / len(ytr)}), flush=True)
    else:
        grid = {'C': [0.1, 1, 10], 'gamma': ['auto', 'scale', 0.01, 0.1], 'kernel': ['rbf', 'linear', 'poly']}
        t = time.perf_counter(); gs = GridSearchCV(SVC(), grid, cv=3).fit(Xtr, ytr); sec = time.perf_counter() - t
        print(json.dumps({'gridSeconds': sec, 'best': gs.best_params_, 'cvScore': gs.best_score_, 'accuracy': gs.score(Xva, yva)}), flush=True)
