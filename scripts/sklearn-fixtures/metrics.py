"""Reference values for src/learn/metrics: classification metrics, curves, log loss, report text.
Writes test/fixtures/sklearn/metrics-classification.json and metrics-ranking.json."""
import numpy as np
from sklearn import metrics as M
from _common import write_fixture

rng = np.random.RandomState(0)


def lst(a):
    return [x.item() if hasattr(x, 'item') else x for x in np.asarray(a).tolist()] if not isinstance(a, list) else a


def f(x):
    return None if x is None else (x.tolist() if hasattr(x, 'tolist') else x)


# ---------------------------------------------------------------- classification
cases = []


def add_prf_case(name, y_true, y_pred, pos_label=1, labels_variants=(None,)):
    out = {'name': name, 'yTrue': y_true, 'yPred': y_pred, 'posLabel': pos_label, 'results': []}
    out['accuracy'] = M.accuracy_score(y_true, y_pred)
    out['accuracyCount'] = float(M.accuracy_score(y_true, y_pred, normalize=False))
    for labels in labels_variants:
        for average in ([None, 'micro', 'macro', 'weighted'] + (['binary'] if len(set(y_true) | set(y_pred)) <= 2 else [])):
            for zd in ['warn', 0, 1]:
                for beta in [1.0, 0.5, 2.0]:
                    p, r, fs, s = M.precision_recall_fscore_support(
                        y_true, y_pred, beta=beta, labels=labels, pos_label=pos_label,
                        average=average, zero_division=zd)
                    out['results'].append({'labels': labels, 'average': average, 'zeroDivision': zd, 'beta': beta,
                                           'precision': f(p), 'recall': f(r), 'fscore': f(fs), 'support': f(s)})
    out['confusion'] = []
    for labels in labels_variants:
        for normalize in [None, 'true', 'pred', 'all']:
            out['confusion'].append({'labels': labels, 'normalize': normalize,
                                     'matrix': M.confusion_matrix(y_true, y_pred, labels=labels, normalize=normalize).tolist()})
    out['report'] = []
    for labels in labels_variants:
        for digits in [2, 4]:
            for zd in ['warn', 1]:
                out['report'].append({'labels': labels, 'digits': digits, 'zeroDivision': zd,
                                      'text': M.classification_report(y_true, y_pred, labels=labels, digits=digits, zero_division=zd),
                                      'dict': M.classification_report(y_true, y_pred, labels=labels, digits=digits, zero_division=zd, output_dict=True)})
    cases.append(out)


yt = rng.randint(0, 2, 200).tolist()
yp = [t if rng.rand() < 0.7 else 1 - t for t in yt]
add_prf_case('binary-int', yt, yp, 1, (None, [1, 0]))
ys = ['spam' if v else 'ham' for v in yt]
ps = ['spam' if v else 'ham' for v in yp]
add_prf_case('binary-str', ys, ps, 'spam', (None, ['spam']))
yt3 = rng.choice(['cat', 'dog', 'émeu', 'zebra'], 150, p=[0.4, 0.3, 0.2, 0.1]).tolist()
yp3 = [t if rng.rand() < 0.6 else str(rng.choice(['cat', 'dog', 'émeu'])) for t in yt3]  # zebra is never predicted
add_prf_case('multiclass-str', yt3, yp3, 1, (None, ['dog', 'cat', 'zebra'], ['cat', 'dog', 'émeu', 'zebra', 'yak']))
add_prf_case('multiclass-int', [0, 1, 2, 0, 1, 2, 2, 2], [0, 2, 1, 0, 0, 1, 2, 2], 1, (None,))
# exact half values (0.625, 0.375) that Python rounds to even in the report
add_prf_case('rounding-ties', [1, 1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1], 1, (None,))
add_prf_case('all-negative', [0, 0, 0, 0], [0, 0, 0, 0], 1, (None,))

log_loss_cases = []
p2 = rng.rand(100)
y2 = (rng.rand(100) < p2).astype(int).tolist()
p2[0] = 0.0
p2[1] = 1.0
log_loss_cases.append({'name': 'binary-1d', 'yTrue': y2, 'yPred': p2.tolist(), 'normalize': True, 'value': M.log_loss(y2, p2)})
log_loss_cases.append({'name': 'binary-1d-sum', 'yTrue': y2, 'yPred': p2.tolist(), 'normalize': False, 'value': M.log_loss(y2, p2, normalize=False)})
P3 = rng.dirichlet([1, 1, 1], 120)
P3[0] = [0, 0, 1]
P3[1] = [0.2, 0.2, 0.2]  # not normalised: renormalised after clipping
y3 = rng.choice(['a', 'b', 'c'], 120).tolist()
log_loss_cases.append({'name': 'multiclass', 'yTrue': y3, 'yPred': P3.tolist(), 'normalize': True, 'value': M.log_loss(y3, P3)})
log_loss_cases.append({'name': 'eps', 'yTrue': y3, 'yPred': P3.tolist(), 'normalize': True, 'eps': 1e-3, 'value': M.log_loss(y3, P3, eps=1e-3)})
ys2 = ['spam' if v else 'ham' for v in y2]
P2 = np.column_stack([1 - p2, p2])
log_loss_cases.append({'name': 'binary-2col-str', 'yTrue': ys2, 'yPred': P2.tolist(), 'normalize': True, 'value': M.log_loss(ys2, P2)})
log_loss_cases.append({'name': 'labels', 'yTrue': ['a', 'a', 'b'], 'yPred': [[0.5, 0.3, 0.2], [0.6, 0.1, 0.3], [0.1, 0.8, 0.1]], 'labels': ['a', 'b', 'c'], 'normalize': True,
                       'value': M.log_loss(['a', 'a', 'b'], [[0.5, 0.3, 0.2], [0.6, 0.1, 0.3], [0.1, 0.8, 0.1]], labels=['a', 'b', 'c'])})

write_fixture('metrics-classification.json', {'prf': cases, 'logLoss': log_loss_cases})

# ---------------------------------------------------------------- ranking
ranking = []


def add_rank_case(name, y, s, pos_label=None):
    out = {'name': name, 'yTrue': y, 'yScore': s, 'posLabel': pos_label}
    for drop in [True, False]:
        fpr, tpr, th = M.roc_curve(y, s, pos_label=pos_label, drop_intermediate=drop)
        out['roc' + ('Drop' if drop else 'All')] = {'fpr': fpr.tolist(), 'tpr': tpr.tolist(), 'thresholds': th.tolist()}
    p, r, th = M.precision_recall_curve(y, s, pos_label=pos_label)
    out['pr'] = {'precision': p.tolist(), 'recall': r.tolist(), 'thresholds': th.tolist()}
    out['ap'] = M.average_precision_score(y, s, pos_label=1 if pos_label is None else pos_label)
    out['auc'] = M.roc_auc_score(y, s) if pos_label is None or pos_label == sorted(set(y))[-1] else None
    ranking.append(out)


yr = rng.randint(0, 2, 300).tolist()
sr = (rng.rand(300) + 0.5 * np.array(yr)).tolist()
add_rank_case('random', yr, sr)
st = np.round(np.array(sr) * 4) / 4  # heavy ties
add_rank_case('tied', yr, st.tolist())
add_rank_case('minus-one', [(-1 if v == 0 else 1) for v in yr[:50]], sr[:50])
add_rank_case('str-spam', ['spam' if v else 'ham' for v in yr[:80]], st[:80].tolist(), 'spam')
add_rank_case('str-ham-negative-class', ['spam' if v else 'ham' for v in yr[:80]], st[:80].tolist(), 'ham')
add_rank_case('small', [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
add_rank_case('all-same-score', [0, 1, 0, 1, 1], [0.5, 0.5, 0.5, 0.5, 0.5])

ovr = []
Pm = rng.dirichlet([2, 1, 1, 3], 200)
ym = [['n', 'p', 'q', 'z'][int(rng.choice(4, p=row))] for row in Pm]
for average in ['macro', 'weighted']:
    ovr.append({'yTrue': ym, 'yScore': Pm.tolist(), 'average': average, 'value': M.roc_auc_score(ym, Pm, multi_class='ovr', average=average)})
write_fixture('metrics-ranking.json', {'cases': ranking, 'ovr': ovr})

# ---------------------------------------------------------------- splitters (metrics-splits.json)
from sklearn.model_selection import StratifiedKFold, KFold, TimeSeriesSplit, train_test_split
from collections import Counter

split_cases = {'stratified': [], 'kfold': [], 'timeSeries': [], 'trainTest': []}
ysk = rng.choice(['b', 'a', 'c', 'd'], 103, p=[0.5, 0.3, 0.15, 0.05]).tolist()
ysk[:4] = ['d', 'd', 'd', 'd']
ysk[10:14] = ['d', 'c', 'c', 'c']
for y in [ysk, [0] * 7 + [1] * 13 + [2] * 5, ([1, 0] * 30)[:57]]:
    for k in [2, 3, 4]:
        for shuffle in [False, True]:
            cv = StratifiedKFold(n_splits=k, shuffle=shuffle, random_state=0 if shuffle else None)
            folds = []
            for tr, te in cv.split(np.zeros(len(y)), y):
                folds.append({'testSize': int(len(te)), 'trainSize': int(len(tr)), 'testCounts': {str(k2): int(v) for k2, v in Counter(np.asarray(y)[te].tolist()).items()},
                              'test': te.tolist() if not shuffle else None})
            split_cases['stratified'].append({'y': y, 'nSplits': k, 'shuffle': shuffle, 'folds': folds})
for n in [10, 11, 17]:
    for k in [2, 3, 5]:
        split_cases['kfold'].append({'n': n, 'nSplits': k, 'folds': [{'train': tr.tolist(), 'test': te.tolist()} for tr, te in KFold(k).split(np.zeros(n))],
                                     'shuffledTestSizes': [int(len(te)) for _, te in KFold(k, shuffle=True, random_state=0).split(np.zeros(n))]})
for n, kw in [(20, {}), (20, {'n_splits': 3}), (23, {'max_train_size': 5}), (30, {'test_size': 4, 'gap': 2}), (30, {'n_splits': 4, 'test_size': 3, 'gap': 1, 'max_train_size': 7}), (7, {'n_splits': 6})]:
    ts = TimeSeriesSplit(**kw)
    opts = {{'n_splits': 'nSplits', 'max_train_size': 'maxTrainSize', 'test_size': 'testSize', 'gap': 'gap'}[a]: b for a, b in kw.items()}
    split_cases['timeSeries'].append({'n': n, 'options': opts, 'folds': [{'train': tr.tolist(), 'test': te.tolist()} for tr, te in ts.split(np.zeros(n))]})
for y, kw in [(ysk, {'test_size': 0.2}), (ysk, {'test_size': 0.33}), (ysk, {'train_size': 50}), (ysk, {'test_size': 30, 'train_size': 60}), ([0] * 7 + [1] * 13 + [2] * 5, {}), (['x'] * 3 + ['y'] * 3 + ['z'] * 3, {'test_size': 3})]:
    tr, te = train_test_split(np.arange(len(y)), stratify=y, random_state=0, **kw)
    opts = {{'test_size': 'testSize', 'train_size': 'trainSize'}[a]: b for a, b in kw.items()}
    split_cases['trainTest'].append({'y': y, 'options': opts, 'trainSize': len(tr), 'testSize': len(te),
                                     'trainCounts': {str(a): b for a, b in Counter(np.asarray(y)[tr].tolist()).items()},
                                     'testCounts': {str(a): b for a, b in Counter(np.asarray(y)[te].tolist()).items()}})
write_fixture('metrics-splits.json', split_cases)
