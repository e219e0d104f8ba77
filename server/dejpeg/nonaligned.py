"""Non-aligned double JPEG: the first compression's block grid, seen through the last one.

A JPEG that was decoded, cropped (or pasted at an offset) and saved again has two block
grids. The last one is what :func:`dejpeg.classical.detect_grid` finds; the DCT
histograms on it hardly show the first. On the *first* grid, though, the low-frequency
coefficients still cluster around multiples of the first quantization steps, blurred by
the rounding noise of the second compression, which is weak when the second quality is
higher than the first (the common case: an image re-saved "at high quality").

The measure of a lattice of step q is the phase coherence
``R(q) = |mean exp(2 pi i c / q)|`` over the coefficients outside the dead zone
(``|c| >= q / 2``): near 1 for values on the lattice, near 0 for a smooth spread. For each
of the 64 grid phases and each candidate first quality Q (IJG tables, :data:`QUALITIES`),
the coherence is averaged over the 15 lowest zig-zag frequencies at their IJG steps; a
phase's *coherence* is the maximum over Q.

The last grid's own lattice leaks into its neighbouring phases (a smooth block changes
little under a one-pixel shift), but symmetrically: the phases +d and -d around the last
grid leak alike. A first grid breaks the symmetry, so the evidence is the *asymmetry*
``coherence(+d) - coherence(-d)``, maximised over d. The three half-block shifts (4, 0),
(0, 4), (4, 4) are their own mirror images and cannot be judged this way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .classical import GridEstimate, phase_tiles
from .features import BLOCK, ZIGZAG, block_dct
from .jpegfacts import IJG_LUMA_TABLES

FREQUENCIES = ZIGZAG[:15]
"""Natural-order indices of the 15 lowest zig-zag frequencies (DC included)."""
QUALITIES = np.arange(45, 86)
"""Candidate first qualities. Below 45 the steps of the first compression are coarse
enough for the aligned detector's histograms; above 85 they are 3 or less and drown in
the second compression's noise."""
STEPS = np.arange(3, 33)
"""Candidate lattice steps; covers the IJG steps of FREQUENCIES at QUALITIES."""
RESOLUTION, RANGE = 0.25, 200.0
"""Histogram bin width and |coefficient| range of the coherence sums."""
MIN_SUPPORT = 32
"""Fewest coefficients outside the dead zone for a coherence to count (else it is 0)."""
REGION_PIXELS = 1_000_000
"""Images up to this size are measured whole; larger ones on 5x5 tiles of 128 px (0.41 MP,
more than a whole LIVE1 image)."""

NONALIGNED_WEIGHTS = (57.104, -5.053)
"""Logistic weights (asymmetry, bias) of P(non-aligned double), fitted on 1200 crops of the
training photos by ``ai-research/calibrate_double.py --samples 1200``: P = 0.5 at an
asymmetry of 0.089, above every never/single/aligned-double crop there (their 99th
percentile is 0.071)."""


@dataclass
class NonAlignedEvidence:
    """What the first-grid search found.

    Attributes:
        dx, dy: phase (0..7) of the most likely first grid, in image coordinates.
        asymmetry: coherence of that phase minus that of its mirror around the last grid
            (0..1; near 0 without a first grid).
        coherence: coherence of that phase (0..1).
        quality: the first quality whose IJG steps fit that phase best (45..85).
        probability: P(the pixels hold an earlier JPEG on that shifted grid), 0..1.
    """

    dx: int
    dy: int
    asymmetry: float
    coherence: float
    quality: int
    probability: float

    def to_json(self) -> dict:
        return {"dx": self.dx, "dy": self.dy, "asymmetry": self.asymmetry, "coherence": self.coherence,
                "quality": self.quality, "probability": self.probability}


@lru_cache(maxsize=1)
def _kernels() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Coherence kernels over histogram bins and the quality-to-step lookup.

    Returns:
        phasor (B, S) complex128: ``exp(2 pi i c / q)`` at bin centres outside the dead zone, else 0;
        outside (B, S) float64: 1 outside the dead zone of step q;
        step_index (Qn, F) int64: index into STEPS of each frequency's IJG step at each quality;
        used (Qn, F) bool: that step lies within STEPS.
    """
    centres = np.arange(-RANGE, RANGE, RESOLUTION) + RESOLUTION / 2
    outside = (np.abs(centres)[:, None] >= STEPS[None, :] / 2).astype(np.float64)
    phasor = np.exp(2j * np.pi * centres[:, None] / STEPS[None, :]) * outside
    tables = IJG_LUMA_TABLES[QUALITIES - 1][:, FREQUENCIES]
    used = (tables >= STEPS[0]) & (tables <= STEPS[-1])
    return phasor, outside, np.clip(tables - STEPS[0], 0, len(STEPS) - 1), used


def _region(y: np.ndarray) -> np.ndarray:
    """(T, S, S) pixels to measure: the whole image (one tile) when small, else 25 tiles."""
    h, w = y.shape
    if h * w <= REGION_PIXELS:
        return y[None, :(h - BLOCK + 1) // BLOCK * BLOCK + BLOCK - 1, :(w - BLOCK + 1) // BLOCK * BLOCK + BLOCK - 1]
    return phase_tiles(y, tile=128, per_side=5)


def quality_coherence(y: np.ndarray) -> np.ndarray:
    """Lattice coherence of every grid phase for every candidate first quality.

    Args:
        y: (H, W) float32 level-shifted luma, at least 15x15.

    Returns:
        (8, 8, Qn) float64 in 0..1: ``[dy, dx, k]`` is the mean coherence over FREQUENCIES
        of the blocks starting at (dy, dx) with the IJG steps of QUALITIES[k].
    """
    phasor, outside, step_index, used = _kernels()
    tiles = _region(np.asarray(y, np.float32))
    height, width = tiles.shape[1] - BLOCK + 1, tiles.shape[2] - BLOCK + 1
    bins = phasor.shape[0]
    frequencies = len(FREQUENCIES)
    offsets = np.arange(frequencies) * bins
    out = np.empty((BLOCK, BLOCK, len(QUALITIES)))
    for dy in range(BLOCK):
        for dx in range(BLOCK):
            window = np.ascontiguousarray(tiles[:, dy:dy + height, dx:dx + width]).reshape(-1, width)
            c = block_dct(window).reshape(-1, 64)[:, FREQUENCIES]
            index = ((c + RANGE) / RESOLUTION).astype(np.int64)
            inside = (index >= 0) & (index < bins)
            hist = np.bincount((index + offsets)[inside], minlength=frequencies * bins)
            hist = hist.reshape(frequencies, bins).astype(np.float64)
            support = hist @ outside
            coherence = np.where(support >= MIN_SUPPORT, np.abs(hist @ phasor) / np.maximum(support, 1.0), 0.0)
            picked = coherence[np.arange(frequencies)[None, :], step_index]
            out[dy, dx] = (picked * used).sum(axis=1) / used.sum(axis=1)
    return out


def first_grid(y: np.ndarray, grid: GridEstimate) -> NonAlignedEvidence:
    """Look for the grid of an earlier JPEG compression, shifted from the last one.

    Args:
        y: (H, W) float32 level-shifted luma.
        grid: the detected (last) grid.

    Returns:
        The evidence; images under 15x15 pixels get probability 0.
    """
    if min(y.shape) < 2 * BLOCK - 1:
        return NonAlignedEvidence(grid.dx, grid.dy, 0.0, 0.0, int(QUALITIES[0]), 0.0)
    per_quality = np.roll(quality_coherence(y), (-grid.dy, -grid.dx), axis=(0, 1))  # phases relative to the grid
    coherence = per_quality.max(axis=2)
    mirrored = np.roll(coherence[::-1, ::-1], (1, 1), axis=(0, 1))                  # [d] -> coherence[-d]
    asymmetry = coherence - mirrored
    ry, rx = np.unravel_index(int(np.argmax(asymmetry)), asymmetry.shape)
    slope, bias = NONALIGNED_WEIGHTS
    a = float(asymmetry[ry, rx])
    return NonAlignedEvidence(
        dx=int((rx + grid.dx) % BLOCK), dy=int((ry + grid.dy) % BLOCK),
        asymmetry=round(a, 4), coherence=round(float(coherence[ry, rx]), 4),
        quality=int(QUALITIES[int(np.argmax(per_quality[ry, rx]))]),
        probability=round(float(1.0 / (1.0 + np.exp(-(slope * a + bias)))), 4))
