"""Reference values for mlship's tables and data-quality report (src/data/quality.test.ts and
src/data/read-table.test.ts), computed with pandas/numpy:

- boston: per-column describe() (mean, std with ddof=1, min, quartiles with numpy's linear
  interpolation, max), distinct counts, 1.5 x IQR outlier counts and duplicate rows of the built-in
  `boston-housing` table (the same JSON file mlship reads);
- california: a seeded 300-row CSV in the California housing layout (with missing total_bedrooms,
  all five ocean_proximity values and a few duplicated rows), and what pandas.read_csv makes of
  it: missing counts, describe(), outliers, duplicates, ocean_proximity value counts;
- inference: a small CSV with integer, float, boolean and text columns and pandas' dtypes.
"""
import io
import json
import os

import numpy as np
import pandas as pd

from _common import ROOT, write_fixture


def profile(df):
    out = {}
    for name in df.columns:
        s = df[name]
        col = {'missing': int(s.isna().sum()), 'distinct': int(s.nunique(dropna=True))}
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            v = s.dropna().to_numpy(dtype=np.float64)
            q1, med, q3 = np.quantile(v, [0.25, 0.5, 0.75])
            iqr = q3 - q1
            lo, hi = q1 - 1.5 * iqr, q3 + 1.5 * iqr
            col.update({
                'min': float(v.min()), 'max': float(v.max()), 'mean': float(v.mean()), 'std': float(v.std(ddof=1)),
                'q1': float(q1), 'median': float(med), 'q3': float(q3),
                'outliers': int(((v < lo) | (v > hi)).sum()), 'lower': float(lo), 'upper': float(hi),
            })
        out[name] = col
    return {'rows': int(len(df)), 'duplicates': int(df.duplicated().sum()), 'columns': out}


def boston():
    with open(os.path.join(ROOT, 'node_modules', '@stdlib', 'datasets-harrison-boston-house-prices', 'data', 'data.json')) as f:
        df = pd.DataFrame(json.load(f))
    return profile(df)


def california():
    rng = np.random.default_rng(42)
    n = 300
    ocean = np.array(['<1H OCEAN', 'INLAND', 'ISLAND', 'NEAR BAY', 'NEAR OCEAN'])
    df = pd.DataFrame({
        'longitude': np.round(rng.uniform(-124.3, -114.3, n), 2),
        'latitude': np.round(rng.uniform(32.5, 42.0, n), 2),
        'housing_median_age': rng.integers(1, 53, n).astype(float),
        'total_rooms': np.round(rng.lognormal(7.7, 0.7, n)).astype(float),
        'total_bedrooms': np.round(rng.lognormal(6.2, 0.7, n)).astype(float),
        'population': np.round(rng.lognormal(7.0, 0.8, n)).astype(float),
        'households': np.round(rng.lognormal(6.0, 0.7, n)).astype(float),
        'median_income': np.round(rng.lognormal(1.3, 0.45, n), 4),
        'median_house_value': np.round(rng.uniform(15000, 500001, n)).astype(float),
        'ocean_proximity': ocean[rng.choice(5, n, p=[0.44, 0.32, 0.01, 0.11, 0.12])],
    })
    df.loc[rng.choice(n, 15, replace=False), 'total_bedrooms'] = np.nan
    df.loc[7, 'ocean_proximity'] = 'ISLAND'
    df.iloc[[50, 51, 52]] = df.iloc[[10, 11, 12]].to_numpy()  # three duplicate rows
    buf = io.StringIO()
    df.to_csv(buf, index=False, float_format='%.4f', na_rep='')
    text = buf.getvalue()
    back = pd.read_csv(io.StringIO(text))
    p = profile(back)
    p['csv'] = text
    p['ocean_counts'] = {k: int(v) for k, v in back['ocean_proximity'].value_counts().items()}
    return p


def inference():
    text = (
        'id,price,ok,name,ratio\n'
        '1,10.5,True,a,1e-3\n'
        '2,11,False,b,2.5E2\n'
        '3,-4.25,True,"c, d",-.5\n'
        '-4,0,False,e,inf\n'
    )
    df = pd.read_csv(io.StringIO(text))
    return {'csv': text, 'dtypes': {c: str(t) for c, t in df.dtypes.items()}, 'ratio': [float(x) if np.isfinite(x) else str(x) for x in df['ratio']], 'price': [float(x) for x in df['price']]}


write_fixture('data-tabular.json', {'pandas': pd.__version__, 'boston': boston(), 'california': california(), 'inference': inference()})
