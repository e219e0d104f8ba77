"""Fit the thresholds of the classical estimators on the *training* photos.

Benchmarks are never used here. Random crops (96..768 px, random grid phase) of the
train split are left never-compressed or Pillow-encoded at a random QF 5..100 (4:2:0 or
4:4:4); the script prints the statistics behind each threshold of dejpeg.classical and
the values it suggests:

    .venv/bin/python ai-research/calibrate_classical.py [--samples 600] [--seed 0]

The constants in server/dejpeg/classical.py cite the output of this script.
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.optimize import minimize
from tqdm import tqdm

from data.jpeg_history import jpeg_roundtrip
from dejpeg.classical import analyze_pixels, verdict_features
from dejpeg.features import luma
from data.clean_photos import load_split


def samples(photos, n: int, seed: int):
    """Yield (quality or None, pixels) for n random crops; half never compressed."""
    rng = np.random.default_rng(seed)
    for _ in range(n):
        _, photo = photos[rng.integers(len(photos))]
        size = int(rng.integers(96, 769))
        h, w = min(size, photo.shape[0]), min(size, photo.shape[1])
        top, left = rng.integers(0, photo.shape[0] - h + 1), rng.integers(0, photo.shape[1] - w + 1)
        crop = np.ascontiguousarray(photo[top:top + h, left:left + w])
        quality = None if rng.random() < 0.5 else int(rng.integers(5, 101))
        if quality is not None:
            crop = jpeg_roundtrip(crop, quality, subsampling=("4:4:4", "4:2:0")[int(rng.integers(2))])
            cut = rng.integers(0, 8, 2)
            crop = crop[cut[0]:, cut[1]:]
        yield quality, crop


def best_threshold(clean: np.ndarray, compressed: np.ndarray, lower_is_compressed: bool = False):
    """Threshold maximising balanced accuracy of ``value > t`` (or ``< t``)."""
    values = np.unique(np.concatenate([clean, compressed]))
    cuts = (values[:-1] + values[1:]) / 2
    sign = -1 if lower_is_compressed else 1
    tpr = np.array([np.mean(sign * compressed > sign * t) for t in cuts])
    tnr = np.array([np.mean(sign * clean <= sign * t) for t in cuts])
    i = int(np.argmax(tpr + tnr))
    return float(cuts[i]), float((tpr[i] + tnr[i]) / 2)


def fit_logistic(features: np.ndarray, labels: np.ndarray, l2: float = 1e-3,
                 sample_weight: np.ndarray | None = None) -> np.ndarray:
    """Weights (bias last) of a logistic regression, by L-BFGS on the weighted mean log loss."""
    x = np.hstack([features, np.ones((len(features), 1))])
    sw = np.ones(len(x)) if sample_weight is None else np.asarray(sample_weight, float)
    sw = sw / sw.sum()

    def loss(w):
        z = x @ w
        nll = np.sum(sw * (np.logaddexp(0, z) - labels * z)) + l2 * np.sum(w[:-1] ** 2)
        grad = x.T @ (sw * (1 / (1 + np.exp(-z)) - labels)) + np.r_[2 * l2 * w[:-1], 0]
        return nll, grad

    return minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B").x


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=600)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = []
    for quality, pixels in tqdm(samples(load_split("train"), args.samples, args.seed), total=args.samples):
        r = analyze_pixels(luma(pixels))
        rows.append((quality, r.grid.contrast, int(r.steps.determined.sum()), r.variance_test.variance,
                     *verdict_features(r.grid.contrast, r.steps)))
    clean = np.array([row[1:] for row in rows if row[0] is None])
    comp = np.array([row[1:] for row in rows if row[0] is not None and row[0] < 100])
    print(f"{len(clean)} never-compressed, {len(comp)} compressed (QF 5..99)")
    for name, col, lower in (("grid contrast", 0, False), ("determined steps", 1, False),
                             ("DCT variance (seed test)", 2, True)):
        t, acc = best_threshold(clean[:, col], comp[:, col], lower)
        print(f"{name:26s} clean p50/p99/max {np.percentile(clean[:, col], 50):.4g}/"
              f"{np.percentile(clean[:, col], 99):.4g}/{clean[:, col].max():.4g}  compressed p1/p50 "
              f"{np.percentile(comp[:, col], 1):.4g}/{np.percentile(comp[:, col], 50):.4g}  "
              f"-> threshold {t:.4g} (balanced accuracy {acc:.3f})")
    features = np.vstack([clean[:, 3:], comp[:, 3:]])
    labels = np.r_[np.zeros(len(clean)), np.ones(len(comp))]
    weights = fit_logistic(features, labels)
    p = 1 / (1 + np.exp(-(np.hstack([features, np.ones((len(features), 1))]) @ weights)))
    accuracy = (np.mean(p[labels == 1] >= 0.5) + np.mean(p[labels == 0] < 0.5)) / 2
    print(f"verdict logistic weights (features of verdict_features, bias last): {np.round(weights, 3).tolist()}"
          f"  balanced accuracy {accuracy:.3f}, false positives {np.mean(p[labels == 0] >= 0.5):.3%}")
    grid_weights = fit_logistic(features[:, :1], labels)
    print(f"grid confidence logistic weights (log10 contrast, bias): {np.round(grid_weights, 3).tolist()}")


if __name__ == "__main__":
    main()
