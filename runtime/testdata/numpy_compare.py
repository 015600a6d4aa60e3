# A set of numpy operations whose printed results are compared with native
# numpy's (numpy_compare.native: Debian bookworm's python3-numpy 1.24.2 on
# x86_64, `python3 numpy_compare.py > numpy_compare.native`).
import numpy as np
a = np.arange(1.0, 10.0).reshape(3, 3) + np.eye(3)
r = np.random.RandomState(1)
g = np.random.default_rng(3)
rows = [
    ("norm", float(np.linalg.norm(np.arange(10.0)))),
    ("matmul", (a @ a.T).tolist()),
    ("solve", np.linalg.solve(a, np.array([1.0, 2.0, 3.0])).round(12).tolist()),
    ("inv", np.linalg.inv(a).round(12).tolist()),
    ("det", round(float(np.linalg.det(a)), 9)),
    ("eigvalsh", np.linalg.eigvalsh(a + a.T).round(10).tolist()),
    ("svd", np.linalg.svd(a, compute_uv=False).round(10).tolist()),
    ("fft", np.fft.fft(np.arange(8.0)).round(12).tolist()),
    ("rfft", np.fft.rfft(np.sin(np.arange(16.0))).round(12).tolist()),
    ("sort", np.sort(np.array([3.5, -1.0, 2.25, 0.0, 9.75])).tolist()),
    ("argsort", np.argsort(np.array([3, 1, 2, 1, 0]), kind="stable").tolist()),
    ("stats", [float(np.mean(a)), float(np.std(a)), float(np.median(a)), float(np.var(a))]),
    ("cumsum", np.cumsum(np.arange(6)).tolist()),
    ("ufuncs", np.round(np.exp(np.linspace(0, 1, 5)) + np.sqrt(np.arange(5)) - np.log1p(np.arange(5)), 12).tolist()),
    ("legacy", [r.multinomial(20, [0.2, 0.3, 0.5]).tolist(), r.binomial(10, 0.5, 3).tolist(), r.normal(size=3).round(12).tolist()]),
    ("generator", [g.multinomial(20, [0.2, 0.3, 0.5]).tolist(), g.integers(0, 100, 5).tolist(), g.random(3).round(12).tolist()]),
    ("int64", int(np.arange(10**5, dtype=np.int64).sum())),
]
for name, value in rows:
    print(name, value)
