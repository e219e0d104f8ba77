"""Shared test fixtures: a deterministic synthetic "photo" and encoders.

No image files live in the repository; tests build their inputs here.

Fixtures:
    make_photo(height=384, width=512, seed=0) -> (H, W, 3) uint8 RGB, read-only
    photo        : (384, 512, 3) uint8 read-only synthetic photo (seed 0)
    small_photo  : (64, 64, 3) uint8 read-only synthetic photo (seed 1)
    encode(arr, fmt="JPEG", **pillow_save_kwargs) -> bytes   (in memory)
    jpeg_bytes   : the ``photo`` as a quality-90 4:2:0 Pillow JPEG (bytes)
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage


@lru_cache(maxsize=16)
def _synthetic_photo(height: int, width: int, seed: int) -> np.ndarray:
    """Natural-looking RGB test image, deterministic for (height, width, seed).

    Layers: a sky-to-ground vertical gradient with a warm horizontal tint,
    soft-edged discs and a rotated rectangle (edges at several angles),
    band-limited texture at two scales (foliage/fabric-like), a fine
    high-frequency stripe patch (aliasing/ringing bait) and mild Gaussian
    sensor noise.  Returns (H, W, 3) uint8, range 0..255, not writeable.
    """
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    v, u = yy / max(height - 1, 1), xx / max(width - 1, 1)

    sky = np.stack([90 + 60 * v, 140 + 50 * v, 220 - 90 * v], axis=-1)
    ground = np.stack([110 + 40 * u, 95 + 30 * u, 60 + 10 * u], axis=-1)
    horizon = 1.0 / (1.0 + np.exp(-(v - 0.55) * 40.0))
    img = sky * (1 - horizon[..., None]) + ground * horizon[..., None]

    # Soft-edged discs with random centres, radii and colours.
    for _ in range(5):
        cy, cx = rng.uniform(0.1, 0.9) * height, rng.uniform(0.1, 0.9) * width
        r = rng.uniform(0.06, 0.18) * min(height, width)
        colour = rng.uniform(20, 235, size=3)
        d = np.hypot(yy - cy, xx - cx)
        alpha = np.clip(r - d + 0.5, 0.0, 1.0)[..., None] * 0.85
        img = img * (1 - alpha) + colour * alpha

    # A rotated rectangle (a "building") with a hard, anti-aliased edge.
    ang = np.deg2rad(rng.uniform(10, 35))
    cy, cx = 0.62 * height, 0.3 * width
    ry = (yy - cy) * np.cos(ang) - (xx - cx) * np.sin(ang)
    rx = (yy - cy) * np.sin(ang) + (xx - cx) * np.cos(ang)
    inside = np.clip(np.minimum(0.12 * height - np.abs(ry), 0.1 * width - np.abs(rx)) + 0.5, 0, 1)
    img = img * (1 - inside[..., None]) + np.array([200.0, 190.0, 170.0]) * inside[..., None]

    # Band-limited texture at two scales, stronger in the "ground".
    tex = ndimage.gaussian_filter(rng.standard_normal((height, width)), 1.2) * 60
    tex += ndimage.gaussian_filter(rng.standard_normal((height, width)), 4.0) * 90
    img += (tex * (0.3 + 0.7 * horizon))[..., None] * np.array([0.9, 1.0, 0.7])

    # Fine stripes patch (period ~3 px) in the upper right.
    patch = (yy < 0.3 * height) & (xx > 0.7 * width)
    img += (patch * 35 * np.sin(xx * 2.1 + yy * 0.7))[..., None]

    img += rng.normal(0.0, 2.0, size=img.shape)  # sensor noise
    out = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    out.flags.writeable = False
    return out


def _encode(arr: np.ndarray, fmt: str = "JPEG", **kwargs) -> bytes:
    """Encode an array (H, W) / (H, W, C) uint8 or uint16 with Pillow, in memory."""
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(arr)).save(buf, fmt, **kwargs)
    return buf.getvalue()


@pytest.fixture(scope="session")
def make_photo() -> Callable[..., np.ndarray]:
    """Factory ``make_photo(height=384, width=512, seed=0)`` -> (H, W, 3) uint8 read-only."""

    def make(height: int = 384, width: int = 512, seed: int = 0) -> np.ndarray:
        return _synthetic_photo(int(height), int(width), int(seed))

    return make


@pytest.fixture(scope="session")
def photo() -> np.ndarray:
    """(384, 512, 3) uint8 read-only synthetic photo."""
    return _synthetic_photo(384, 512, 0)


@pytest.fixture(scope="session")
def small_photo() -> np.ndarray:
    """(64, 64, 3) uint8 read-only synthetic photo (for loops over many encodes)."""
    return _synthetic_photo(64, 64, 1)


@pytest.fixture(scope="session")
def encode() -> Callable[..., bytes]:
    """``encode(arr, fmt="JPEG", **save_kwargs)`` -> encoded bytes (Pillow, in memory)."""
    return _encode


@pytest.fixture(scope="session")
def jpeg_bytes(photo: np.ndarray) -> bytes:
    """The session ``photo`` as a Pillow JPEG, quality 90, 4:2:0."""
    return _encode(photo, "JPEG", quality=90, subsampling=2)
