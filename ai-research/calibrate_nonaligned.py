"""Fit the logistic of dejpeg.nonaligned (P of a shifted earlier JPEG) on the *training* photos.

Benchmarks are never used. Random crops (256..800 px) of the train split get one history
each, in equal parts: never compressed, single (QF 5..100), aligned double (both QFs
5..100), and non-aligned double (the positives: QF1 40..90, QF2 QF1+5..100, a random
shift != (0, 0) between the two, Pillow or OpenCV, 4:2:0 or 4:4:4), then a random crop
that moves the final grid. The logistic on the asymmetry statistic is fitted with the
negatives weighted NEGATIVE_WEIGHT times the positives: shifted re-compressions are rarer
than the rest, and a false "double" is the costlier mistake. The same numbers on the
validation photos are printed as a check.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python ai-research/calibrate_nonaligned.py [--samples 1200]

The constant NONALIGNED_WEIGHTS in server/dejpeg/nonaligned.py cites this script's output.
"""

from __future__ import annotations

import argparse

import numpy as np
from tqdm import tqdm

from calibrate_classical import fit_logistic
from data.clean_photos import load_split
from data.jpeg_history import Compression, History, apply_history, draw_compression
from dejpeg.classical import detect_grid
from dejpeg.features import luma
from dejpeg.nonaligned import first_grid

KINDS = ("none", "single", "aligned", "shifted")
NEGATIVE_WEIGHT = 4.0


def draw(rng: np.random.Generator, kind: str) -> History:
    """A history of the given kind (see the module doc for the ranges)."""
    crop = (int(rng.integers(8)), int(rng.integers(8)))
    if kind == "none":
        return History([], (0, 0), crop)
    if kind == "single":
        return History([draw_compression(rng, int(rng.integers(5, 101)))], (0, 0), crop)
    if kind == "aligned":
        return History([draw_compression(rng, int(rng.integers(5, 101))),
                        draw_compression(rng, int(rng.integers(5, 101)))], (0, 0), crop)
    q1 = int(rng.integers(40, 91))
    first = draw_compression(rng, q1)
    second = Compression(int(rng.integers(q1 + 5, 101)), first.encoder, first.subsampling)
    shift = (0, 0)
    while shift == (0, 0):
        shift = (int(rng.integers(8)), int(rng.integers(8)))
    return History([first, second], shift, crop)


def samples(photos, n: int, seed: int):
    """Yield (kind, history, NonAlignedEvidence) for n random crops, kinds in turn."""
    rng = np.random.default_rng(seed)
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        _, photo = photos[rng.integers(len(photos))]
        h = min(int(rng.integers(256, 801)), photo.shape[0] - 16)
        w = min(int(rng.integers(256, 801)), photo.shape[1] - 16)
        top, left = rng.integers(0, photo.shape[0] - h + 1), rng.integers(0, photo.shape[1] - w + 1)
        history = draw(rng, kind)
        pixels = apply_history(np.ascontiguousarray(photo[top:top + h, left:left + w]), history)
        y = luma(pixels)
        yield kind, history, first_grid(y, detect_grid(y))


def collect(split: str, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, list]:
    rows = list(tqdm(samples(load_split(split), n, seed), total=n, desc=split))
    asymmetry = np.array([[e.asymmetry] for _, _, e in rows])
    labels = np.array([kind == "shifted" for kind, _, _ in rows], dtype=float)
    return asymmetry, labels, rows


def report(name: str, weights: np.ndarray, asymmetry: np.ndarray, labels: np.ndarray, rows: list) -> None:
    p = 1 / (1 + np.exp(-(asymmetry[:, 0] * weights[0] + weights[1])))
    called = p >= 0.5
    kinds = np.array([kind for kind, _, _ in rows])
    parts = [f"{kind} {np.mean(called[kinds == kind]):.1%}" for kind in KINDS]
    hard = np.array([kind == "shifted" and 50 <= h.compressions[0].quality <= 80
                     and h.compressions[1].quality >= h.compressions[0].quality + 10 for kind, h, _ in rows])
    negatives = asymmetry[labels == 0, 0]
    print(f"{name}: called non-aligned double: " + ", ".join(parts)
          + f"; shifted with QF1 50..80, QF2 >= QF1 + 10: {np.mean(called[hard]):.1%}"
          + f"\n  asymmetry of the negatives p99 {np.percentile(negatives, 99):.4f}, max {negatives.max():.4f};"
          + f" P = 0.5 at {-weights[1] / weights[0]:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=1200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    x, y, rows = collect("train", args.samples, args.seed)
    weight = np.where(y == 1, 1.0, NEGATIVE_WEIGHT)
    weights = fit_logistic(x, y, l2=0.0, sample_weight=weight)
    print(f"NONALIGNED_WEIGHTS (asymmetry, bias) = {tuple(np.round(weights, 3).tolist())}")
    report("train", weights, x, y, rows)
    vx, vy, vrows = collect("val", args.samples // 3, args.seed + 1)
    report("val", weights, vx, vy, vrows)


if __name__ == "__main__":
    main()
