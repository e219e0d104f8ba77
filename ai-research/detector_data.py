"""Build the learned detector's training features from the clean-photo recipe.

Each sample is one square of a clean training photo (random photo, rotation/flip and
position; 70% are 272 px so that one full 256 px partition survives the crops, 30% are
64..255 px), given a random compression history (data/jpeg_history.py): never, once, or
twice compressed, aligned or shifted, QF 5..100 denser at the low end, Pillow or OpenCV,
4:4:4 or 4:2:0. The features are exactly what the served model sees: the 64x121 DCT
histograms and 2x8 blockiness profiles of the first partition on the *detected* grid
(dejpeg.models.detector).

Labels respect physics: a second compression on the same grid at a lower-or-equal
quality (QF1 >= QF2) leaves the first one all but invisible, so it is labelled "single"
with the QF of the last compression, and its primary QF is unknown (NaN).

    .venv/bin/python ai-research/detector_data.py --split train --samples 60000
    .venv/bin/python ai-research/detector_data.py --split val --samples 6000

writes <cache>/detector/<split>.npz (cache: $DEJPEG_DATA/.. or ~/.cache/dejpeg). Sample i
depends only on (seed, split, i), so the set is the same whatever the number of workers.
"""

from __future__ import annotations

import os

# Workers parallelise over samples; BLAS threads inside each would only oversubscribe the
# cores (3x slower here on the many small block-DCT products). Set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from tqdm import tqdm

from data.clean_photos import default_cache, load_split
from data.jpeg_history import History, apply_history, draw_history
from dejpeg.models.detector import CLASSES, image_features

FULL = 272
SPLIT_SEEDS = {"train": 1, "val": 2}
_PHOTOS: list[np.ndarray] = []


def labels(history: History) -> tuple[int, float, float]:
    """(class index, QF of the last compression or 0, primary QF or NaN)."""
    qualities = [c.quality for c in history.compressions]
    if not qualities:
        return CLASSES.index("none"), 0.0, float("nan")
    if len(qualities) == 2 and (history.shift != (0, 0) or qualities[0] < qualities[1]):
        return CLASSES.index("double"), float(qualities[1]), float(qualities[0])
    return CLASSES.index("single"), float(qualities[-1]), float("nan")


def clean_square(rng: np.random.Generator, photo: np.ndarray) -> np.ndarray:
    """A random square (FULL px, or 64..255 px for 30%) of a randomly rotated/flipped photo."""
    photo = np.rot90(photo, int(rng.integers(4)))
    if rng.random() < 0.5:
        photo = photo[:, ::-1]
    size = FULL if rng.random() < 0.7 else int(rng.integers(64, 256)) + 16
    size = min(size, *photo.shape[:2])
    top = int(rng.integers(photo.shape[0] - size + 1))
    left = int(rng.integers(photo.shape[1] - size + 1))
    return np.ascontiguousarray(photo[top:top + size, left:left + size])


def sample(args: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, int, float, float, int]:
    """Features (histograms, profiles) and labels of sample ``index`` of the split ``seed``."""
    seed, index = args
    rng = np.random.default_rng([seed, index])
    pixels = clean_square(rng, _PHOTOS[int(rng.integers(len(_PHOTOS)))])
    history = draw_history(rng)
    pixels = apply_history(pixels, history)
    _, features = image_features(pixels)
    return (features.histograms[0].astype(np.float16), features.profiles[0],
            *labels(history), int(history.shift != (0, 0)))


def _init(split: str) -> None:
    _PHOTOS.extend(photo for _, photo in load_split(split))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=sorted(SPLIT_SEEDS), required=True)
    parser.add_argument("--samples", type=int, required=True)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--out", type=Path, default=default_cache().parent / "detector")
    args = parser.parse_args()
    jobs = [(SPLIT_SEEDS[args.split], i) for i in range(args.samples)]
    with Pool(args.workers, initializer=_init, initargs=(args.split,)) as pool:
        rows = list(tqdm(pool.imap(sample, jobs, chunksize=64), total=len(jobs), unit="sample"))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{args.split}.npz"
    np.savez_compressed(path, histograms=np.stack([r[0] for r in rows]),
                        profiles=np.stack([r[1] for r in rows]),
                        label=np.array([r[2] for r in rows], np.int8),
                        quality=np.array([r[3] for r in rows], np.float32),
                        primary=np.array([r[4] for r in rows], np.float32),
                        shifted=np.array([r[5] for r in rows], np.int8))
    counts = np.bincount([r[2] for r in rows], minlength=len(CLASSES))
    print(f"{path}: {len(rows)} samples, " + ", ".join(f"{c} {n}" for c, n in zip(CLASSES, counts)))


if __name__ == "__main__":
    main()
