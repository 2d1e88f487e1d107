"""Reference values for mlship's drift statistics (src/monitor/stats, src/monitor/drift.ts).

scipy values come straight from scipy 1.10 (ks_2samp, chisquare, wasserstein_distance,
jensenshannon, gammaincc, ndtr, smirnov, kstwo). Evidently is not installed here, so its formulas
are transcribed below from its source (evidently/calculations/stattests/: chisquare_stattest.py,
z_stattest.py, wasserstein_distance_norm.py, jensenshannon.py, psi.py, utils.py get_binned_data,
registry.py _get_default_stattest) and evaluated with numpy/scipy.
"""
import numpy as np
from scipy import special, stats
from scipy.spatial import distance

from _common import f64, num, write_fixture

rng = np.random.default_rng(20261127)


# ---------------------------------------------------------------- Kolmogorov-Smirnov
def ks_case(name, a, b, modes=('auto', 'exact', 'asymp')):
    out = {'name': name, 'a': f64(a), 'b': f64(b)}
    for m in modes:
        r = stats.ks_2samp(a, b, method=m)
        out[m] = {'statistic': num(r.statistic), 'pValue': num(r.pvalue)}
    return out


ks = []
for n1, n2 in [(3, 3), (3, 5), (7, 4), (10, 10), (13, 30), (30, 17)]:
    ks.append(ks_case(f'normal small {n1}x{n2}', rng.normal(size=n1), rng.normal(0.8, 1, size=n2)))
ks.append(ks_case('same sample', np.arange(12.0), np.arange(12.0)))
ks.append(ks_case('disjoint', np.arange(8.0), np.arange(8.0) + 100))
ks.append(ks_case('ties integers 40x55', rng.integers(0, 6, 40).astype(float), rng.integers(1, 7, 55).astype(float)))
ks.append(ks_case('ties rounded 200x300', np.round(rng.normal(size=200), 1), np.round(rng.normal(0.1, 1, size=300), 1)))
ks.append(ks_case('normal 500x400 shifted', rng.normal(size=500), rng.normal(0.15, 1, size=400)))
ks.append(ks_case('normal 2000x2000', rng.normal(size=2000), rng.normal(size=2000)))
ks.append(ks_case('normal 2000x1500 shifted', rng.normal(size=2000), rng.normal(0.1, 1.1, size=1500)))
ks.append(ks_case('normal 10000x7000 (auto exact at the limit)', rng.normal(size=10000), rng.normal(0.02, 1, size=7000), ('auto', 'asymp')))
ks.append(ks_case('normal 20000x20000 (auto asymptotic)', rng.normal(size=20000), rng.normal(0.03, 1, size=20000), ('auto', 'exact', 'asymp')))
ks.append(ks_case('normal 20000x12000 shifted (auto asymptotic)', rng.normal(size=20000), rng.normal(0.05, 1, size=12000), ('auto', 'asymp')))
ks.append(ks_case('ties 20000x16000 (auto asymptotic)', rng.integers(0, 50, 20000).astype(float), rng.integers(0, 51, 16000).astype(float), ('auto', 'asymp')))

# ---------------------------------------------------------------- special functions
gam = [(a, x) for a in (0.5, 1, 1.5, 2, 3.5, 10, 24.5, 99.5) for x in (1e-3, 0.1, 0.9, 2, 5, 12, 30, 80, 150, 400)]
special_fx = {
    'gammaincc': [{'a': a, 'x': x, 'value': num(special.gammaincc(a, x))} for a, x in gam],
    'ndtr': [{'x': x, 'value': num(special.ndtr(x))} for x in np.linspace(-9, 9, 73)],
    'smirnov': [{'n': n, 'x': x, 'value': num(special.smirnov(n, x))}
                for n in (1, 5, 20, 140, 1000, 20000) for x in (0.01, 0.05, 0.1, 0.3, 0.6, 0.9)],
    'kstwoSf': [{'n': n, 'x': x, 'value': num(stats.kstwo.sf(x, n))}
                for n in (5, 20, 141, 500, 3000, 10000, 60000, 250000)
                for x in (0.0008, 0.003, 0.008, 0.02, 0.05, 0.12, 0.3, 0.55, 0.95)],
}


# ---------------------------------------------------------------- Evidently's formulas
def evidently_chi(ref, cur):
    keys = sorted(set(ref) | set(cur))  # Evidently: list(set(...)); sorted here so the file is reproducible (sums differ by ulps only)
    k_norm = len(cur) / len(ref)
    rc = {k: ref.count(k) for k in keys}
    cc = {k: cur.count(k) for k in keys}
    f_exp = [rc[k] * k_norm for k in keys]
    f_obs = [cc[k] for k in keys]
    r = stats.chisquare(f_obs, f_exp)
    return float(r.statistic), float(r.pvalue)


def evidently_z(ref, cur):
    if len(set(ref)) == 1 and len(set(cur)) == 1 and ref[0] == cur[0]:
        return 0.0, 1.0
    first = sorted(set(ref) | set(cur))[0]
    r = np.array([0 if x == first else 1 for x in ref])
    c = np.array([0 if x == first else 1 for x in cur])
    n1, n2 = len(r), len(c)
    p1, p2 = float(sum(r)) / n1, float(sum(c)) / n2
    P = float(p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
    return float(z), float(2 * (1 - stats.norm.cdf(np.abs(z))))


def evidently_binned(ref, cur, numeric, fill):
    ref_a, cur_a = np.asarray(ref), np.asarray(cur)
    if numeric and len(np.unique(ref_a)) > 20:
        bins = np.histogram_bin_edges(np.concatenate([ref_a, cur_a]), bins='sturges')
        rp = np.histogram(ref_a, bins)[0] / len(ref_a)
        cp = np.histogram(cur_a, bins)[0] / len(cur_a)
    else:
        keys = sorted(set(ref) | set(cur))  # Evidently: list(set(...)); sorted here so the file is reproducible (sums differ by ulps only)
        rp = np.array([list(ref).count(k) / len(ref) for k in keys])
        cp = np.array([list(cur).count(k) / len(cur) for k in keys])
    if fill:
        for p in (rp, cp):
            m = min(p[p != 0])
            np.place(p, p == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return rp, cp


def evidently_js(ref, cur, numeric):
    rp, cp = evidently_binned(ref, cur, numeric, False)
    return float(distance.jensenshannon(rp, cp, 2))


def evidently_psi(ref, cur, numeric):
    rp, cp = evidently_binned(ref, cur, numeric, True)
    value = 0
    for r, c in zip(rp, cp):
        value += (r - c) * np.log(r / c)
    return float(value)


def evidently_wnorm(ref, cur):
    norm = max(np.std(ref), 0.001)
    return float(stats.wasserstein_distance(ref, cur) / norm)


def default_method(numeric, n_ref, n_values):
    if n_ref <= 1000:
        if numeric:
            if n_values <= 5:
                return 'chisquare' if n_values > 2 else 'z'
            return 'ks'
        return 'chisquare' if n_values > 2 else 'z'
    if numeric:
        return 'jensenshannon' if n_values <= 5 else 'wasserstein'
    return 'jensenshannon'


def cats(values, n, p):
    return [str(x) for x in rng.choice(values, size=n, p=p)]


categorical = []
for name, ref, cur in [
    ('three colours, mild shift', cats(['red', 'green', 'blue'], 300, [0.5, 0.3, 0.2]), cats(['red', 'green', 'blue'], 200, [0.4, 0.35, 0.25])),
    ('new category in current', cats(['a', 'b', 'c'], 120, [0.6, 0.3, 0.1]), cats(['a', 'b', 'c', 'd'], 90, [0.5, 0.3, 0.1, 0.1])),
    ('category gone in current', cats(['a', 'b', 'c', 'd'], 400, [0.4, 0.3, 0.2, 0.1]), cats(['a', 'b', 'c'], 500, [0.4, 0.4, 0.2])),
    ('two values', cats(['no', 'yes'], 250, [0.7, 0.3]), cats(['no', 'yes'], 180, [0.55, 0.45])),
    ('two values, no shift', cats(['no', 'yes'], 1000, [0.5, 0.5]), cats(['no', 'yes'], 1000, [0.5, 0.5])),
    ('ten values, large', cats(list('abcdefghij'), 5000, [0.1] * 10), cats(list('abcdefghij'), 4000, [0.12, 0.08] + [0.1] * 8)),
]:
    chi = evidently_chi(ref, cur)
    z = evidently_z(ref, cur)
    categorical.append({'name': name, 'reference': ref, 'current': cur,
                        'chisquare': {'statistic': num(chi[0]), 'pValue': num(chi[1])},
                        'z': {'statistic': num(z[0]), 'pValue': num(z[1])},
                        'jensenshannon': num(evidently_js(ref, cur, False)),
                        'psi': num(evidently_psi(ref, cur, False))})
same = ['x'] * 30
z = evidently_z(same, same)
categorical.append({'name': 'one value in both', 'reference': same, 'current': same,
                    'z': {'statistic': num(z[0]), 'pValue': num(z[1])}})

numeric = []
for name, ref, cur in [
    ('normal 50x40 shifted', rng.normal(size=50), rng.normal(0.4, 1, size=40)),
    ('normal 2000x1500', rng.normal(size=2000), rng.normal(0.05, 1.2, size=1500)),
    ('exponential 5000x5000', rng.exponential(size=5000), rng.exponential(1.3, size=5000)),
    ('integers 0..3 (categorical binning)', rng.integers(0, 4, 800).astype(float), rng.integers(0, 4, 600).astype(float)),
    ('integers 0..40 with ties', rng.integers(0, 41, 3000).astype(float), rng.integers(3, 44, 2500).astype(float)),
    ('constant reference', np.full(100, 2.5), rng.normal(2.5, 0.01, size=80)),
    ('tiny 3x4', np.array([0.1, 0.5, 0.9]), np.array([0.2, 0.3, 1.5, 2.0])),
]:
    numeric.append({'name': name, 'reference': f64(ref), 'current': f64(cur),
                    'wasserstein': num(stats.wasserstein_distance(ref, cur)),
                    'normalizedWasserstein': num(evidently_wnorm(ref, cur)),
                    'jensenshannon': num(evidently_js(ref, cur, True)),
                    'psi': num(evidently_psi(ref, cur, True))})

# Column drift with Evidently's default choice (NaN dropped first, as Evidently does).
drift = []


def drift_case(name, ref, cur, numeric_kind):
    if numeric_kind:
        ref_c = np.asarray(ref)[~np.isnan(ref)]
        cur_c = np.asarray(cur)[~np.isnan(cur)]
        n_values = len(np.unique(np.concatenate([ref_c, cur_c])))
        dropped = [int(np.isnan(ref).sum()), int(np.isnan(cur).sum())]
    else:
        ref_c, cur_c = list(ref), list(cur)
        n_values = len(set(ref_c) | set(cur_c))
        dropped = [0, 0]
    method = default_method(numeric_kind, len(ref_c), n_values)
    r_list = list(ref_c)
    c_list = list(cur_c)
    if method == 'ks':
        res = stats.ks_2samp(ref_c, cur_c)
        out = {'statistic': num(res.statistic), 'pValue': num(res.pvalue), 'drift': bool(res.pvalue < 0.05)}
    elif method == 'chisquare':
        s, p = evidently_chi(r_list, c_list)
        out = {'statistic': num(s), 'pValue': num(p), 'drift': bool(p < 0.05)}
    elif method == 'z':
        s, p = evidently_z(r_list, c_list)
        out = {'statistic': num(s), 'pValue': num(p), 'drift': bool(p < 0.05)}
    elif method == 'wasserstein':
        d = evidently_wnorm(ref_c, cur_c)
        out = {'distance': num(d), 'drift': bool(d >= 0.1)}
    else:
        d = evidently_js(r_list if not numeric_kind else ref_c, c_list if not numeric_kind else cur_c, numeric_kind)
        out = {'distance': num(d), 'drift': bool(d >= 0.1)}
    payload = {'name': name, 'kind': 'numeric' if numeric_kind else 'categorical', 'method': method,
               'nReference': len(ref_c), 'nCurrent': len(cur_c), 'droppedNaN': dropped, **out}
    if numeric_kind:
        payload['reference'] = f64(ref)
        payload['current'] = f64(cur)
    else:
        payload['reference'] = list(ref)
        payload['current'] = list(cur)
    drift.append(payload)


with_nan = rng.normal(size=300)
with_nan[::17] = np.nan
drift_case('numeric small, NaN dropped (ks)', with_nan, np.concatenate([rng.normal(0.3, 1, 250), [np.nan] * 4]), True)
drift_case('numeric small, 4 values (chisquare)', rng.integers(0, 4, 500).astype(float), rng.integers(0, 4, 400).astype(float), True)
drift_case('numeric small, binary (z)', rng.integers(0, 2, 300).astype(float), (rng.random(350) < 0.65).astype(float), True)
drift_case('categorical small, 3 values (chisquare)', cats(['a', 'b', 'c'], 800, [0.5, 0.3, 0.2]), cats(['a', 'b', 'c'], 700, [0.45, 0.3, 0.25]), False)
drift_case('categorical small, 2 values (z)', cats(['m', 'f'], 600, [0.5, 0.5]), cats(['m', 'f'], 500, [0.4, 0.6]), False)
drift_case('numeric large (wasserstein)', rng.normal(size=3000), rng.normal(0.2, 1, 2000), True)
drift_case('numeric large, 12 integer values (wasserstein)', rng.integers(0, 12, 2500).astype(float), rng.integers(0, 12, 2000).astype(float), True)
drift_case('numeric large, 4 values (jensenshannon)', rng.integers(0, 4, 2000).astype(float), rng.integers(1, 5, 1800).astype(float), True)
drift_case('categorical large (jensenshannon)', cats(['u', 'v', 'w', 'x'], 3000, [0.4, 0.3, 0.2, 0.1]), cats(['u', 'v', 'w', 'x'], 2000, [0.25, 0.25, 0.25, 0.25]), False)

write_fixture('stats.json', {'ks': ks, 'special': special_fx, 'categorical': categorical, 'numeric': numeric, 'drift': drift})
