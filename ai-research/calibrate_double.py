"""Fit the logistics of the two classical double-compression tests on the *training* photos.

* dejpeg.nonaligned (an earlier JPEG on a shifted grid): positives are the "shifted" crops.
* dejpeg.requantization (an aligned earlier, coarser JPEG): positives are the "aligned"
  crops with QF1 < QF2.

Benchmarks are never used. Random crops (256..800 px) of the train split get one history
each, in equal parts: never compressed, single (QF 5..100), aligned double (both QFs
5..100), and non-aligned double (QF1 40..90, QF2 QF1+5..100, a random shift != (0, 0)
between the two), Pillow or OpenCV, 4:2:0 or 4:4:4, then a random crop that moves the final
grid. Each crop goes through ``dejpeg.analyze`` (as a PNG), whose evidence holds both
statistics. Each logistic is fitted with its negatives weighted NEGATIVE_WEIGHT times its
positives: a second compression is rarer than the rest, and a false "double" is the
costlier mistake. The same numbers on the validation photos are printed as a check.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python ai-research/calibrate_double.py [--samples 1200]

The constants NONALIGNED_WEIGHTS (server/dejpeg/nonaligned.py) and REQUANTIZATION_WEIGHTS
(server/dejpeg/requantization.py) cite this script's output.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from tqdm import tqdm

import dejpeg
from benchmarks import png_bytes
from calibrate_classical import fit_logistic
from data.clean_photos import load_split
from data.jpeg_history import Compression, History, apply_history, draw_compression
from dejpeg.requantization import llr_feature

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
    """Yield (kind, qualities of the history, report evidence) for n random crops, kinds in turn."""
    rng = np.random.default_rng(seed)
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        _, photo = photos[rng.integers(len(photos))]
        h = min(int(rng.integers(256, 801)), photo.shape[0] - 16)
        w = min(int(rng.integers(256, 801)), photo.shape[1] - 16)
        top, left = rng.integers(0, photo.shape[0] - h + 1), rng.integers(0, photo.shape[1] - w + 1)
        history = draw(rng, kind)
        pixels = apply_history(np.ascontiguousarray(photo[top:top + h, left:left + w]), history)
        yield kind, [c.quality for c in history.compressions], dejpeg.analyze(png_bytes(pixels)).evidence


def is_coarser_aligned(kind: str, qualities: list[int]) -> bool:
    return kind == "aligned" and qualities[0] < qualities[1]


def cached_samples(split: str, n: int, seed: int, cache: Path | None) -> list:
    """The rows of :func:`samples`, read from / written to ``cache`` (JSON) when given."""
    path = None if cache is None else cache / f"{split}-{n}-{seed}.json"
    if path is not None and path.is_file():
        return json.loads(path.read_text())
    rows = list(tqdm(samples(load_split(split), n, seed), total=n, desc=split))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(rows))
    return rows


TESTS = {
    # name: (statistic from the evidence, positive label, constant to set)
    "nonaligned": (lambda e: [e["first_grid"]["asymmetry"], e["first_grid"]["low_asymmetry"]],
                   lambda k, h: k == "shifted", "NONALIGNED_WEIGHTS"),
    "requantization": (lambda e: [llr_feature(e["requantization"]["log_likelihood_ratio"])], is_coarser_aligned,
                       "REQUANTIZATION_WEIGHTS"),
}


def report(name: str, statistic: np.ndarray, labels: np.ndarray, weights: np.ndarray, rows: list) -> None:
    """Share called double per kind; ``statistic`` (N, k), ``weights`` (k + 1,) with the bias last."""
    p = 1 / (1 + np.exp(-(statistic @ weights[:-1] + weights[-1])))
    called = p >= 0.5
    groups = {kind: np.array([k == kind for k, _, _ in rows]) for kind in KINDS}
    groups["positives"] = labels == 1
    groups["negatives"] = labels == 0
    print(f"  {name}: called double: " + ", ".join(f"{g} {np.mean(called[m]):.1%}" for g, m in groups.items() if m.any()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=1200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=None,
                        help="folder for the analysed samples (reused when present: refit without re-analysing)")
    args = parser.parse_args()
    train = cached_samples("train", args.samples, args.seed, args.cache)
    val = cached_samples("val", args.samples // 3, args.seed + 1, args.cache)
    for test, (statistic, positive, constant) in TESTS.items():
        x = {split: np.array([statistic(e) for _, _, e in rows]) for split, rows in (("train", train), ("val", val))}
        y = {split: np.array([positive(k, h) for k, h, _ in rows], float) for split, rows in (("train", train), ("val", val))}
        weights = fit_logistic(x["train"], y["train"], l2=0.0,
                               sample_weight=np.where(y["train"] == 1, 1.0, NEGATIVE_WEIGHT))
        print(f"{test}: {constant} = {tuple(np.round(weights, 3).tolist())}")
        for split, rows in (("train", train), ("val", val)):
            report(split, x[split], y[split], weights, rows)


if __name__ == "__main__":
    main()
