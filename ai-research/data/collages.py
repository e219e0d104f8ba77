"""Synthetic collages for the QF maps: a region with another JPEG history, seam invisible.

From one clean square X, the background is A = history_a(X) and the region B =
history_b(X), possibly on a grid shifted by (sy, sx) (X shifted, compressed, shifted back);
the collage takes B inside a random shape (ellipse, polygon or smooth blob, 5-50% of the
area) and A outside. Both come from the same X, so nothing but compression marks the
region. 30% of the samples are whole images (one history, no region) so that uniform
images are learnt too. A final crop of 14..21 px moves the block grid.

Histories: never (25%), once (45%), twice (30%; aligned or on a shifted grid, as in
data/jpeg_history.py), QF uniform in 5..98, Pillow or OpenCV, 4:4:4 or 4:2:0.
QF 99-100 are left out: their steps of 1 leave no trace in 8-bit pixels.

Per-block targets on the grid the served code *detects* (dejpeg.classical.detect_grid):
the QF of the last compression of the history covering most of the block's pixels (0 for
never compressed); the flag is QF > 0. Inputs are dejpeg.qfmap.block_features, exactly
what the served code computes.

    .venv/bin/python ai-research/data/collages.py --split train --shards 0:40
    .venv/bin/python ai-research/data/collages.py --split val --shards 0:4
    .venv/bin/python ai-research/data/collages.py --split wide --shards 0:80
    .venv/bin/python ai-research/data/collages.py --split wider --shards 0:80

writes <cache>/qfmap/<split>-NNNN.npz (250 samples each; features (250, 40, 40, 45)
float16, quality (250, 40, 40) uint8). Sample i depends only on (split, i); existing
shards are kept, so the command can be stopped and run again.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np
from scipy import ndimage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.clean_photos import default_cache, load_split  # noqa: E402
from data.jpeg_history import History, apply_history, draw_compression  # noqa: E402
from dejpeg.classical import grid_blocks  # noqa: E402
from dejpeg.features import block_view, luma  # noqa: E402
from dejpeg.qfmap import CHANNELS, block_features  # noqa: E402

SIZE = 328
"""Pixels per side of a training sample: at least 40 complete blocks on any grid."""
CELLS = 40
MARGIN = 22
"""Extra clean pixels per side before the final crop (grid offset <= 7 + double shift <= 7 < 14)."""
SHARD = 250
SPLIT_SEEDS = {"train": 11, "val": 12, "wide": 13, "wider": 14}
VERSION_5 = ("train", "extra", "gray", "fine")
PHOTO_SPLITS = {"wide": VERSION_5, "wider": VERSION_5 + ("added", "added-gray")}
"""The photo splits of the collage splits that are not photo splits themselves: "wide", every
clean-luma photo of recipe version 5 outside validation (the gray splits' chroma traces do not
reach the luma features); "wider", the same with the photos that version 6 added."""
DATA = default_cache().parent / "qfmap"


def draw_history(rng: np.random.Generator) -> History:
    """Never (25%) / once (45%) / twice (30%, half on a shifted grid), QF uniform in 5..98."""
    u = rng.random()
    if u < 0.25:
        return History([])
    if u < 0.7:
        return History([draw_compression(rng, int(rng.integers(5, 99)))])
    shift = (0, 0)
    if rng.random() < 0.5:
        while shift == (0, 0):
            shift = (int(rng.integers(8)), int(rng.integers(8)))
    return History([draw_compression(rng, int(rng.integers(5, 99))) for _ in range(2)], shift)


def last_quality(history: History) -> int:
    """QF of the last compression, 0 for never compressed."""
    return history.compressions[-1].quality if history.compressions else 0


def render(clean: np.ndarray, history: History, offset: tuple[int, int] = (0, 0)) -> np.ndarray:
    """``clean`` after ``history`` with its first grid at ``offset``: same shape as ``clean``.

    Pixels before the grid origin (fewer than offset + shift rows/columns) stay clean; the
    collage crop never reaches them.
    """
    out = clean.copy()
    sy, sx = offset[0] + history.shift[0], offset[1] + history.shift[1]
    out[sy:, sx:] = apply_history(clean[offset[0]:, offset[1]:], History(history.compressions, history.shift))
    return out


def region_mask(rng: np.random.Generator, height: int, width: int, low: float = 0.05, high: float = 0.5,
                blob_sigma: tuple[float, float] = (8.0, 40.0)) -> np.ndarray:
    """A random ellipse, polygon or smooth blob (thresholded Gaussian-filtered noise, sigma
    drawn in ``blob_sigma`` px) covering low..high of the area: (H, W) bool."""
    while True:
        target = rng.uniform(low, high)
        kind = int(rng.integers(3))
        mask = np.zeros((height, width), np.uint8)
        centre = (int(rng.uniform(0.2, 0.8) * width), int(rng.uniform(0.2, 0.8) * height))
        if kind == 0:
            aspect = rng.uniform(0.4, 2.5)
            a = np.sqrt(target * height * width / (np.pi * aspect))
            cv2.ellipse(mask, centre, (max(int(a), 2), max(int(a * aspect), 2)), rng.uniform(0, 180), 0, 360, 1, -1)
        elif kind == 1:
            n = int(rng.integers(3, 9))
            angles = np.sort(rng.uniform(0, 2 * np.pi, n))
            radius = np.sqrt(target * height * width / np.pi) * rng.uniform(0.6, 1.5, n)
            points = np.stack([centre[0] + radius * np.cos(angles), centre[1] + radius * np.sin(angles)], axis=1)
            cv2.fillPoly(mask, [np.round(points).astype(np.int32)], 1)
        else:
            noise = ndimage.gaussian_filter(rng.standard_normal((height, width)), rng.uniform(*blob_sigma))
            mask = (noise > np.quantile(noise, 1 - target)).astype(np.uint8)
        fraction = mask.mean()
        if low <= fraction <= high:
            return mask.astype(bool)


def compose(clean: np.ndarray, background: History, region: History | None, mask: np.ndarray | None,
            region_offset: tuple[int, int], crop: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Collage of ``clean`` (H + MARGIN, W + MARGIN, 3): background history outside
    ``mask`` (H, W), region history (first grid at ``region_offset``) inside.

    Returns:
        pixels (H, W, 3) uint8 cropped at ``crop`` (rows, cols >= 14) and the per-pixel
        target QF (H, W) uint8 (0 = never compressed).
    """
    height, width = clean.shape[0] - MARGIN, clean.shape[1] - MARGIN
    window = (slice(crop[0], crop[0] + height), slice(crop[1], crop[1] + width))
    pixels = render(clean, background)[window]
    quality = np.full((height, width), last_quality(background), np.uint8)
    if region is not None:
        pixels = np.where(mask[..., None], render(clean, region, region_offset)[window], pixels)
        quality[mask] = last_quality(region)
    return np.ascontiguousarray(pixels), quality


def block_targets(quality: np.ndarray, grid, shape: tuple[int, int]) -> np.ndarray:
    """Per block on ``grid``, the target QF covering most of its pixels: (Bh, Bw) uint8.

    Only two values occur in a collage, so the majority is the value above or below
    their mean.
    """
    blocks = block_view(quality.astype(np.float32), grid.dx, grid.dy)[:shape[0], :shape[1]]
    low, high = float(quality.min()), float(quality.max())
    share_high = (blocks == high).mean(axis=(2, 3))
    return np.where(share_high > 0.5, high, low).astype(np.uint8)


def sample(photos: list[np.ndarray], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One training sample: features (40, 40, 45) float32 and target QF (40, 40) uint8."""
    photo = photos[int(rng.integers(len(photos)))]
    photo = np.rot90(photo, int(rng.integers(4)))
    if rng.random() < 0.5:
        photo = photo[:, ::-1]
    side = SIZE + MARGIN
    top, left = int(rng.integers(photo.shape[0] - side + 1)), int(rng.integers(photo.shape[1] - side + 1))
    clean = np.ascontiguousarray(photo[top:top + side, left:left + side])
    background = draw_history(rng)
    region, mask, offset = None, None, (0, 0)
    if rng.random() >= 0.3:
        region, mask = draw_history(rng), region_mask(rng, SIZE, SIZE)
        if rng.random() < 0.35:
            offset = (int(rng.integers(8)), int(rng.integers(8)))
    crop = (int(rng.integers(14, 22)), int(rng.integers(14, 22)))
    pixels, quality = compose(clean, background, region, mask, offset, crop)
    y = luma(pixels)
    grid, coefficients = grid_blocks(y)
    coefficients = coefficients[:CELLS, :CELLS]
    return block_features(y, grid, coefficients), block_targets(quality, grid, (CELLS, CELLS))


def build_shard(split: str, shard: int, photos: list[np.ndarray]) -> Path:
    """Write shard ``shard`` of ``split`` (samples shard*250 .. +250) unless it exists."""
    path = DATA / f"{split}-{shard:04d}.npz"
    if path.is_file():
        return path
    features = np.empty((SHARD, CELLS, CELLS, CHANNELS), np.float16)
    quality = np.empty((SHARD, CELLS, CELLS), np.uint8)
    for k in range(SHARD):
        rng = np.random.default_rng([SPLIT_SEEDS[split], shard * SHARD + k])
        f, q = sample(photos, rng)
        features[k], quality[k] = f, q
    DATA.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part.npz")
    np.savez(partial, features=features, quality=quality)
    partial.rename(path)
    return path


def shards(split: str) -> list[Path]:
    """The finished shards of a split, in order."""
    return sorted(DATA.glob(f"{split}-[0-9][0-9][0-9][0-9].npz"))


def photo_splits(split: str) -> tuple[str, ...]:
    """The clean-photo splits (data/clean_photos.py) that the collages of ``split`` are cut from."""
    return PHOTO_SPLITS.get(split, (split,))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=sorted(SPLIT_SEEDS), default="train")
    parser.add_argument("--shards", default="0:40", help="range first:end of shard indices")
    args = parser.parse_args()
    first, end = (int(v) for v in args.shards.split(":"))
    photos = [p for split in photo_splits(args.split) for _, p in load_split(split)
              if min(p.shape[:2]) >= SIZE + MARGIN]
    for shard in range(first, end):
        print(build_shard(args.split, shard, photos), flush=True)


if __name__ == "__main__":
    main()
