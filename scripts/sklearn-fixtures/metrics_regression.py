"""Reference values for mlship's regression metrics (scikit-learn 1.2.1).

Writes test/fixtures/sklearn/metrics-regression.json: a list of cases, each with y_true, y_pred,
optional sample_weight, and the value of every metric that applies (weighted metrics only where
scikit-learn and mlship both take weights).
"""
import numpy as np
import warnings

from sklearn import metrics
from sklearn.exceptions import UndefinedMetricWarning

from _common import f64, write_fixture

warnings.simplefilter('ignore', UndefinedMetricWarning)
rng = np.random.RandomState(42)
cases = []


def case(name, t, p, w=None):
    t = np.asarray(t, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    kw = {} if w is None else {'sample_weight': np.asarray(w, dtype=np.float64)}
    values = {
        'meanSquaredError': metrics.mean_squared_error(t, p, **kw),
        'rootMeanSquaredError': metrics.mean_squared_error(t, p, squared=False, **kw),
        'meanAbsoluteError': metrics.mean_absolute_error(t, p, **kw),
        'meanAbsolutePercentageError': metrics.mean_absolute_percentage_error(t, p, **kw),
        'r2Score': metrics.r2_score(t, p, **kw),
        'explainedVarianceScore': metrics.explained_variance_score(t, p, **kw),
    }
    values['medianAbsoluteError'] = metrics.median_absolute_error(t, p, **kw)
    if w is None:
        values['maxError'] = metrics.max_error(t, p)
    # NaN (r2 of a single sample) travels as the string 'NaN'.
    out = {'name': name, 'y_true': f64(t), 'y_pred': f64(p), 'values': {k: (float(v) if np.isfinite(v) else str(float(v)).replace('nan', 'NaN')) for k, v in values.items()}}
    if w is not None:
        out['sample_weight'] = f64(w)
    cases.append(out)


t = rng.randn(51) * 10 + 3
p = t + rng.randn(51) * 2
w = rng.rand(51) * 3
case('docs_example', [3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
case('random_odd', t, p)
case('random_even', t[:50], p[:50])
case('random_weighted', t, p, w)
case('weights_with_zeros', t[:10], p[:10], [0, 1, 2, 0, 1, 1, 0, 3, 1, 0.5])
case('integer_targets', [1, 2, 3, 4, 5, 6], [1, 3, 2, 4, 7, 6])
case('perfect', t, t)
case('constant_true_perfect', [2.5] * 6, [2.5] * 6)
case('constant_true_wrong', [2.5] * 6, [2.5, 3, 2, 2.5, 1, 4])
case('constant_true_offset', [2.5] * 6, [3.5] * 6)
case('constant_true_weighted', [1.0] * 4, [1.0, 2.0, 1.0, 0.0], [1, 2, 3, 4])
case('mape_with_zeros', [0, 1, 2, 0, 3], [0.5, 1, 2.5, 0, 2])
case('mape_zero_exact', [0, 0], [0, 0])
case('large_scale', t * 1e6, p * 1e6)
case('tiny_scale', t * 1e-6, p * 1e-6, w)
case('single_sample', [4.0], [3.0])
case('negative_r2', [1, 2, 3], [3, 2, 1])
case('weighted_median_exact_half', [0, 0, 0, 0], [1, 2, 3, 4], [1, 1, 1, 1])
case('weighted_median_ties', [0, 0, 0, 0, 0], [1, 1, 2, 2, 5], [0.5, 2, 1, 0.25, 3])

write_fixture('metrics-regression.json', {'cases': cases})
