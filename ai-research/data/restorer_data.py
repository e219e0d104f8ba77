"""Training and validation patches for the restorer: (JPEG-degraded, clean, QF) triples.

Training batches (:class:`PatchSampler`): random square crops of 64, 96 or 128 px from the
clean training photos (batch size so that every batch holds about 16 x 64 x 64 pixels),
random rot90 / flip, gray for a fraction (converted as libjpeg/Pillow do and compressed as a
one-channel JPEG, then repeated to three channels; a share of the gray samples may come from
luma-only photos, the clean_photos "gray" split), then a JPEG history: single or double
(aligned or on a shifted grid), QF 5..95 denser at the low end (``draw_quality``), 4:2:0 or
4:4:4, Pillow or OpenCV; a fraction also gets a final crop that moves the block grid off
(0, 0). The conditioning QF is the last compression's (what the analysis estimates).

Batch ``i`` of seed ``s`` depends on (s, i) only, so a resumed run sees the same data.
"""

from __future__ import annotations

import cv2
import numpy as np

from data.jpeg_history import Compression, History, apply_history, draw_compression, draw_quality

CROP_SIZES = (64, 96, 128)
PIXELS_PER_BATCH = 16 * 64 * 64
MARGIN = 16            # room for a grid shift (<= 7) and a final crop (<= 7)
QUALITY_RANGE = (5, 95)
VAL_QUALITIES = (10, 20, 40, 70)
SCALES = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5)
"""Scales of the multiscale stage's photos (DnCNN's augmentation, extended down to 0.5)."""


def to_gray_rgb(pixels: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 RGB -> (H, W) uint8 luma, BT.601 weights as Pillow's convert("L")."""
    return cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)


def _as_rgb(pixels: np.ndarray) -> np.ndarray:
    return np.repeat(pixels[..., None], 3, axis=-1) if pixels.ndim == 2 else pixels


def rescaled(photos: list[np.ndarray], scales: tuple[float, ...] = SCALES) -> list[np.ndarray]:
    """Each photo at each scale (area interpolation, so no new aliasing or JPEG trace), scale by
    scale; the copies too small for the largest crop and its margin are dropped.

    Args:
        photos: clean (H, W, 3) uint8 photos.

    Returns:
        (round(H s), round(W s), 3) uint8 photos, at least max(CROP_SIZES) + MARGIN px a side.
    """
    out = [p if s == 1.0 else
           cv2.resize(p, (round(p.shape[1] * s), round(p.shape[0] * s)), interpolation=cv2.INTER_AREA)
           for s in scales for p in photos]
    return [p for p in out if min(p.shape[:2]) >= max(CROP_SIZES) + MARGIN]


class PatchSampler:
    """Deterministic source of training batches.

    Args:
        photos: clean (H, W, 3) uint8 photos (each at least 144 px on both sides).
        seed: base seed; batch ``index`` uses ``np.random.default_rng([seed, index])``.
        gray: fraction of gray samples among those drawn from ``photos``.
        double: fraction of double compressions (half of them on a shifted grid).
        grid_crop: fraction of samples whose final grid is not at (0, 0).
        gray_photos: clean photos whose luma only is clean (three equal channels), used for
            gray samples only; none (the default) leaves every draw as without them.
        gray_only: fraction of samples drawn from ``gray_photos`` when there are any.
    """

    def __init__(self, photos: list[np.ndarray], seed: int = 0, gray: float = 0.4, double: float = 0.3,
                 grid_crop: float = 0.25, gray_photos: list[np.ndarray] | None = None, gray_only: float = 0.2):
        self.photos, self.seed = photos, seed
        self.gray, self.double, self.grid_crop = gray, double, grid_crop
        self.gray_photos, self.gray_only = gray_photos or [], gray_only

    def history(self, rng: np.random.Generator) -> History:
        first = draw_compression(rng, draw_quality(rng, *QUALITY_RANGE))
        crop = (int(rng.integers(8)), int(rng.integers(8))) if rng.random() < self.grid_crop else (0, 0)
        if rng.random() >= self.double:
            return History([first], (0, 0), crop)
        shift = (0, 0)
        if rng.random() < 0.5:
            while shift == (0, 0):
                shift = (int(rng.integers(8)), int(rng.integers(8)))
        return History([first, draw_compression(rng, draw_quality(rng, *QUALITY_RANGE))], shift, crop)

    def sample(self, rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray, int]:
        """One (degraded, clean) pair of (size, size, 3) uint8 and its last QF."""
        luma_only = bool(self.gray_photos) and rng.random() < self.gray_only
        pool = self.gray_photos if luma_only else self.photos
        photo = pool[int(rng.integers(len(pool)))]
        side = size + MARGIN
        top = int(rng.integers(photo.shape[0] - side + 1))
        left = int(rng.integers(photo.shape[1] - side + 1))
        patch = np.rot90(photo[top:top + side, left:left + side], int(rng.integers(4)))
        if rng.random() < 0.5:
            patch = patch[:, ::-1]
        patch = np.ascontiguousarray(patch)
        if luma_only or rng.random() < self.gray:
            patch = to_gray_rgb(patch)
        history = self.history(rng)
        degraded = apply_history(patch, history)[:size, :size]
        dy = history.crop[0] + (history.shift[0] if len(history.compressions) == 2 else 0)
        dx = history.crop[1] + (history.shift[1] if len(history.compressions) == 2 else 0)
        clean = patch[dy:dy + size, dx:dx + size]
        return _as_rgb(degraded), _as_rgb(clean), history.compressions[-1].quality

    def batch(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Batch ``index``: degraded and clean (N, S, S, 3) uint8, QF (N,) float32.

        S is one of :data:`CROP_SIZES`, N = PIXELS_PER_BATCH / S^2 rounded (16, 7 or 4).
        """
        rng = np.random.default_rng([self.seed, index])
        size = CROP_SIZES[int(rng.integers(len(CROP_SIZES)))]
        samples = [self.sample(rng, size) for _ in range(round(PIXELS_PER_BATCH / size ** 2))]
        degraded, clean, quality = zip(*samples)
        return np.stack(degraded), np.stack(clean), np.asarray(quality, np.float32)


def validation_set(photos: list[np.ndarray], per_photo: int = 4, size: int = 128,
                   seed: int = 1234, gray_only: bool = False) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Fixed validation patches: {QF: (degraded, clean)}, each (N, size, size, 3) uint8.

    ``per_photo`` crops per validation photo, alternately RGB (4:2:0) and gray (all gray
    with ``gray_only``), single Pillow compression on the (0, 0) grid, at every QF of
    :data:`VAL_QUALITIES`.
    """
    rng = np.random.default_rng(seed)
    crops = []
    for photo in photos:
        for k in range(per_photo):
            top = int(rng.integers(photo.shape[0] - size + 1))
            left = int(rng.integers(photo.shape[1] - size + 1))
            crop = photo[top:top + size, left:left + size]
            crops.append(to_gray_rgb(crop) if gray_only or k % 2 else crop)
    out = {}
    for q in VAL_QUALITIES:
        history = History([Compression(q, "pillow", "4:2:0")])
        out[q] = (np.stack([_as_rgb(apply_history(c, history)) for c in crops]), np.stack([_as_rgb(c) for c in crops]))
    return out
