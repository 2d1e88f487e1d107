"""The monitoring benchmark's peer: scipy's ks_2samp and wasserstein_distance (divided by the
reference's np.std, as Evidently's wasserstein_distance_norm) over the same columns of the same
file. Prints one JSON line.

    /usr/bin/python3 bench/monitor/scipy_bench.py <data file> <refRows> <curRows> [columns]
    /usr/bin/python3 bench/monitor/scipy_bench.py --versions
"""
import json
import sys
import time


def versions():
    import numpy
    import scipy
    import sklearn
    print(json.dumps({"python": sys.version.split()[0], "numpy": numpy.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__}))


def peak_rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


def main():
    if sys.argv[1:2] == ["--versions"]:
        versions()
        return
    path, ref_rows, cur_rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    columns = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    import numpy as np
    from scipy.stats import ks_2samp, wasserstein_distance

    t0 = time.perf_counter()
    data = np.fromfile(path, dtype="<f8")
    ref = data[: columns * ref_rows].reshape(columns, ref_rows)
    cur = data[columns * ref_rows :].reshape(columns, cur_rows)
    t1 = time.perf_counter()
    ws, ks, ksp = [], [], []
    for j in range(columns):
        r, c = ref[j], cur[j]
        ws.append(float(wasserstein_distance(r, c) / max(np.std(r), 0.001)))
        res = ks_2samp(r, c)
        ks.append(float(res.statistic))
        ksp.append(float(res.pvalue))
    t2 = time.perf_counter()
    print(json.dumps({"loadMs": (t1 - t0) * 1000, "testsMs": (t2 - t1) * 1000, "totalMs": (t2 - t0) * 1000, "vmHwmKb": peak_rss_kb(), "wasserstein": ws, "ks": ks, "ksP": ksp}))


if __name__ == "__main__":
    main()
