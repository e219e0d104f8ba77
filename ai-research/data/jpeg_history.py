"""Synthetic JPEG compression histories for training data (detector, restorer, QF maps).

A *history* is what happened to clean pixels: nothing, one JPEG compression, or two
(the second either on the same block grid, "aligned", or on a grid shifted by (sy, sx)
because the decoded image was cropped in between). Each compression has its own quality
factor, encoder (Pillow or OpenCV, both libjpeg) and chroma subsampling. Everything is
drawn from a numpy Generator, so a seed fixes the sample.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field

import cv2
import numpy as np
from PIL import Image

ENCODERS = ("pillow", "opencv")
SUBSAMPLINGS = ("4:4:4", "4:2:0")
_PILLOW_SUBSAMPLING = {"4:4:4": 0, "4:2:0": 2}
_OPENCV_SUBSAMPLING = {"4:4:4": cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444,
                       "4:2:0": cv2.IMWRITE_JPEG_SAMPLING_FACTOR_420}


def jpeg_roundtrip(pixels: np.ndarray, quality: int, encoder: str = "pillow",
                   subsampling: str = "4:2:0") -> np.ndarray:
    """Encode and decode once, in memory.

    Args:
        pixels: (H, W, 3) RGB or (H, W) gray uint8.
        quality: IJG quality 1..100.
        encoder: "pillow" or "opencv".
        subsampling: "4:4:4" or "4:2:0" (ignored for gray).

    Returns:
        Decoded pixels, same shape and dtype.
    """
    pixels = np.ascontiguousarray(pixels)
    if encoder == "pillow":
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, "JPEG", quality=int(quality),
                                     subsampling=_PILLOW_SUBSAMPLING[subsampling])
        return np.asarray(Image.open(io.BytesIO(buffer.getvalue())))
    if encoder != "opencv":
        raise ValueError(f"unknown encoder {encoder!r}")
    colour = pixels.ndim == 3
    params = [cv2.IMWRITE_JPEG_QUALITY, int(quality),
              cv2.IMWRITE_JPEG_SAMPLING_FACTOR, _OPENCV_SUBSAMPLING[subsampling]]
    ok, data = cv2.imencode(".jpg", pixels[..., ::-1] if colour else pixels, params)
    if not ok:
        raise RuntimeError("OpenCV could not encode the JPEG")
    decoded = cv2.imdecode(data, cv2.IMREAD_COLOR if colour else cv2.IMREAD_GRAYSCALE)
    return np.ascontiguousarray(decoded[..., ::-1]) if colour else decoded


def draw_quality(rng: np.random.Generator, low: int = 5, high: int = 100) -> int:
    """A quality factor in low..high, denser at the low end (density ~ (1 - u)^0.6)."""
    return int(round(low + (high - low) * rng.random() ** 1.6))


@dataclass
class Compression:
    """One JPEG compression: quality, encoder, chroma subsampling."""

    quality: int
    encoder: str
    subsampling: str


@dataclass
class History:
    """What happened to clean pixels before the final crop.

    Attributes:
        compressions: 0, 1 or 2 compressions, oldest first.
        shift: (rows, cols) cropped between the two compressions (0, 0) = aligned.
        crop: (rows, cols) cropped after the last compression (moves the final grid).
    """

    compressions: list[Compression] = field(default_factory=list)
    shift: tuple[int, int] = (0, 0)
    crop: tuple[int, int] = (0, 0)

    @property
    def kind(self) -> str:
        """"none", "single" or "double" as compressed, before any physics-aware relabelling."""
        return ("none", "single", "double")[len(self.compressions)]

    def to_json(self) -> dict:
        return asdict(self)


def draw_compression(rng: np.random.Generator, quality: int | None = None) -> Compression:
    return Compression(quality if quality is not None else draw_quality(rng),
                       ENCODERS[int(rng.random() < 0.3)], SUBSAMPLINGS[int(rng.integers(2))])


def draw_history(rng: np.random.Generator, p_none: float = 0.2, p_single: float = 0.4,
                 p_shifted: float = 0.5) -> History:
    """A random history: never / once / twice compressed; doubles aligned or shifted."""
    u = rng.random()
    crop = (int(rng.integers(8)), int(rng.integers(8)))
    if u < p_none:
        return History([], (0, 0), crop)
    if u < p_none + p_single:
        return History([draw_compression(rng)], (0, 0), crop)
    shift = (0, 0)
    if rng.random() < p_shifted:
        while shift == (0, 0):
            shift = (int(rng.integers(8)), int(rng.integers(8)))
    return History([draw_compression(rng), draw_compression(rng)], shift, crop)


def apply_history(pixels: np.ndarray, history: History) -> np.ndarray:
    """Compress ``pixels`` as the history says, then crop.

    Output is smaller than the input by ``shift + crop`` rows and columns.
    """
    out = pixels
    for i, c in enumerate(history.compressions):
        if i == 1:
            out = out[history.shift[0]:, history.shift[1]:]
        out = jpeg_roundtrip(out, c.quality, c.encoder, c.subsampling)
    return np.ascontiguousarray(out[history.crop[0]:, history.crop[1]:])
