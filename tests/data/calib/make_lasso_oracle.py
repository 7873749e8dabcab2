#!/usr/bin/python3
"""Writes the scikit-learn oracle for the polynomial Lasso test (tests/calib/fit_test.cpp).

Run by hand, from anywhere, when the oracle must change (CI never runs it; the outputs are
committed):  /usr/bin/python3 tests/data/calib/make_lasso_oracle.py
Needs numpy and scikit-learn (Debian: python3-numpy, python3-sklearn).

Outputs, beside this script:
  lasso_oracle.csv   60 rows of inputs x0, x1, x2 and target y (shortest round-trip decimals)
  lasso_oracle.json  PolynomialFeatures(degree=2, include_bias=False) + StandardScaler +
                     Lasso(alpha=0.05): per feature its exponent vector (sklearn's powers_),
                     mean, scale and coefficient, and the intercept.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.linear_model import Lasso
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
ALPHA, DEGREE, ROWS, SEED = 0.05, 2, 60, 7

rng = np.random.default_rng(SEED)
x = np.column_stack([rng.uniform(0.5, 2.0, ROWS), rng.uniform(0.0, 3.0, ROWS), rng.uniform(1.0, 4.0, ROWS)])
y = 1.0 + 2.0 * x[:, 0] - 0.5 * x[:, 1] + 0.8 * x[:, 0] * x[:, 2] + 0.3 * x[:, 1] ** 2 + rng.normal(0, 0.2, ROWS)
# Round-trip the decimals the test will read, so both sides fit the very same doubles.
x = np.array([[float(repr(float(v))) for v in row] for row in x])
y = np.array([float(repr(float(v))) for v in y])

poly = PolynomialFeatures(degree=DEGREE, include_bias=False)
f = poly.fit_transform(x)
scaler = StandardScaler()
z = scaler.fit_transform(f)
model = Lasso(alpha=ALPHA, tol=1e-10, max_iter=100000)
model.fit(z, y)

# Optimality (KKT) of the oracle itself: |x_j'r|/n <= alpha, with equality and matching sign
# where the coefficient is non-zero.
r = y - z @ model.coef_ - model.intercept_
grad = z.T @ r / ROWS
kkt = max(
    abs(g - ALPHA * np.sign(c)) if c != 0 else max(abs(g) - ALPHA, 0.0) for g, c in zip(grad, model.coef_)
)
print(f"sklearn {sklearn.__version__}: {np.count_nonzero(model.coef_)}/{len(model.coef_)} non-zero, "
      f"n_iter {model.n_iter_}, KKT violation {kkt:.3e}")

with open(os.path.join(HERE, "lasso_oracle.csv"), "w") as out:
    out.write("x0,x1,x2,y\n")
    for row, target in zip(x, y):
        out.write(",".join(repr(float(v)) for v in row) + "," + repr(float(target)) + "\n")

oracle = {
    "generator": "tests/data/calib/make_lasso_oracle.py",
    "sklearn_version": sklearn.__version__,
    "alpha": ALPHA,
    "degree": DEGREE,
    "inputs": ["x0", "x1", "x2"],
    "features": [
        {"powers": [int(p) for p in powers], "mean": float(m), "scale": float(s), "coef": float(c)}
        for powers, m, s, c in zip(poly.powers_, scaler.mean_, scaler.scale_, model.coef_)
    ],
    "intercept": float(model.intercept_),
}
with open(os.path.join(HERE, "lasso_oracle.json"), "w") as out:
    json.dump(oracle, out, indent=2)
    out.write("\n")
