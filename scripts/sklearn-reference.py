"""Writes the reference data sets and scikit-learn's figures on them (run once; the output is committed).

For each of scikit-learn's bundled data sets (iris, wine, breast cancer, digits, diabetes) it writes
test/data/<name>-train.csv and <name>-test.csv: the split of train_test_split(test_size=0.25,
random_state=0), features under scikit-learn's names and the target last. Then it fits
make_pipeline(StandardScaler(), MLPClassifier/MLPRegressor(random_state=0)) with max_iter 200 (the
default) and 500 on the training rows and records the held-out accuracy or RMSE in
test/data/sklearn-reference.json, beside the versions that produced them.

    pip install scikit-learn && python3 scripts/sklearn-reference.py
"""
import csv
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'data')


def labels(name, y, names):
    if name == 'iris':
        return [str(names[k]) for k in y]          # setosa, versicolor, virginica: text labels
    if name == 'wine':
        return [str(names[k]) for k in y]          # class_0, class_1, class_2
    return [int(k) for k in y]                      # breast cancer 0/1 (0 = malignant), digits 0-9


SETS = {
    'iris': (datasets.load_iris, 'species', 'classification'),
    'wine': (datasets.load_wine, 'cultivar', 'classification'),
    'breast-cancer': (datasets.load_breast_cancer, 'malignant_0_benign_1', 'classification'),
    'digits': (datasets.load_digits, 'digit', 'classification'),
    'diabetes': (datasets.load_diabetes, 'progression', 'regression'),
}


def write(path, header, x, y):
    with open(path, 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(header)
        for row, t in zip(x, y):
            w.writerow([repr(float(v)) if not float(v).is_integer() else str(int(v)) for v in row] + [t])


def main():
    os.makedirs(OUT, exist_ok=True)
    warnings.simplefilter('ignore', ConvergenceWarning)
    reference = {
        'split': 'train_test_split(test_size=0.25, random_state=0)',
        'model': 'make_pipeline(StandardScaler(), MLPClassifier|MLPRegressor(random_state=0, max_iter=N))',
        'versions': {'scikit-learn': sklearn.__version__, 'numpy': np.__version__},
        'datasets': {},
    }
    for name, (load, target, task) in SETS.items():
        d = load()
        x, y = d.data, d.target
        features = [str(f) for f in (d.feature_names if hasattr(d, 'feature_names') else range(x.shape[1]))]
        xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.25, random_state=0)
        names = getattr(d, 'target_names', None)
        out_tr = labels(name, ytr, names) if task == 'classification' else [repr(float(v)) for v in ytr]
        out_te = labels(name, yte, names) if task == 'classification' else [repr(float(v)) for v in yte]
        write(os.path.join(OUT, f'{name}-train.csv'), features + [target], xtr, out_tr)
        write(os.path.join(OUT, f'{name}-test.csv'), features + [target], xte, out_te)
        entry = {'task': task, 'target': target, 'features': len(features), 'train': len(ytr), 'test': len(yte)}
        for iters in (200, 500):
            if task == 'classification':
                model = make_pipeline(StandardScaler(), MLPClassifier(random_state=0, max_iter=iters)).fit(xtr, ytr)
                entry[f'accuracy_max_iter_{iters}'] = float(model.score(xte, yte))
            else:
                model = make_pipeline(StandardScaler(), MLPRegressor(random_state=0, max_iter=iters)).fit(xtr, ytr)
                entry[f'rmse_max_iter_{iters}'] = float(np.sqrt(np.mean((model.predict(xte) - yte) ** 2)))
        reference['datasets'][name] = entry
        print(name, entry)
    with open(os.path.join(OUT, 'sklearn-reference.json'), 'w') as f:
        json.dump(reference, f, indent=2)
        f.write('\n')


if __name__ == '__main__':
    main()
