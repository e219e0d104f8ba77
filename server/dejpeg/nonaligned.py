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

The three lowest frequencies (DC and the two first AC) are measured on their own too,
and they are the sharper cue: on the first grid they are low-pass filters of a shifted
8x8 window that average away most of the second compression's rounding noise (which sits
in the high frequencies of the last grid), so their first lattices survive a second
compression only 10 QF finer, where the higher lattices are blurred away. Their coherence
counts every block, dead zone included: a first compression left many of the two AC
coefficients at exactly 0, which is a lattice point too (and the DC spans +-1024, where
mid-grey blocks alone are too few in a bright or dark image).

The last grid's own lattice leaks into its neighbouring phases (a smooth block changes
little under a one-pixel shift), but symmetrically: the phases +d and -d around the last
grid leak alike. A first grid breaks the symmetry, so the evidence is the *asymmetry*
``coherence(+d) - coherence(-d)``, maximised over d, of the 15 frequencies and of the
three lowest.
The three half-block shifts (4, 0), (0, 4), (4, 4) are their own mirror images and cannot
be judged this way.
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
LOWEST = 3
"""The first LOWEST of FREQUENCIES (DC, then the two lowest AC) are also measured alone, over
all blocks. Measured on training crops (1% false positives among never, single and aligned
double crops): shifted doubles with QF2 = QF1 + 10..15 found 77.5% by the DC alone, 85.8%
with the first AC, 90.0% with the two first AC."""
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

NONALIGNED_WEIGHTS = (31.128, 65.34, -5.931)
"""Logistic weights (asymmetry of the 15 frequencies, asymmetry of the LOWEST, bias) of
P(non-aligned double), fitted on 1200 crops of the training photos by
``ai-research/calibrate_double.py --samples 1200``: there, none of the never-compressed,
single or aligned double crops are called double, and 67.3% of the shifted doubles
(QF2 >= QF1 + 5, up to 100) are; 65.0% on the validation photos (with the DC alone in
place of the LOWEST: 60.7% and 59.0%, and 0.7% of the aligned doubles; the 15 frequencies
alone: 51% and 53%)."""


@dataclass
class NonAlignedEvidence:
    """What the first-grid search found.

    Attributes:
        dx, dy: phase (0..7) of the most likely first grid, in image coordinates.
        asymmetry: the largest coherence of a phase minus that of its mirror around the last
            grid, over the 15 frequencies (0..1; near 0 without a first grid).
        low_asymmetry: the same for the LOWEST frequencies over all blocks (0..1).
        coherence: coherence of the chosen phase (0..1).
        quality: the first quality whose IJG steps fit that phase best (45..85).
        probability: P(the pixels hold an earlier JPEG on a shifted grid), 0..1, from both
            asymmetries.
        blocks: the number of blocks measured at each phase (a coherence of N random
            phases is about 1 / sqrt(N)).
    """

    dx: int
    dy: int
    asymmetry: float
    low_asymmetry: float
    coherence: float
    quality: int
    probability: float
    blocks: int

    def to_json(self) -> dict:
        return {"dx": self.dx, "dy": self.dy, "asymmetry": self.asymmetry, "low_asymmetry": self.low_asymmetry,
                "coherence": self.coherence, "quality": self.quality, "probability": self.probability,
                "blocks": self.blocks}


@lru_cache(maxsize=1)
def _kernels() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Coherence kernels over histogram bins and the quality-to-step lookup.

    Returns:
        phasor (B, S) complex128: ``exp(2 pi i c / q)`` at bin centres (dead zone included);
        outside_phasor (B, S) complex128: the same outside the dead zone of step q, else 0;
        outside (B, S) float64: 1 outside the dead zone of step q;
        step_index (Qn, F) int64: index into STEPS of each frequency's IJG step at each quality;
        used (Qn, F) bool: that step lies within STEPS.
    """
    centres = np.arange(-RANGE, RANGE, RESOLUTION) + RESOLUTION / 2
    outside = (np.abs(centres)[:, None] >= STEPS[None, :] / 2).astype(np.float64)
    phasor = np.exp(2j * np.pi * centres[:, None] / STEPS[None, :])
    tables = IJG_LUMA_TABLES[QUALITIES - 1][:, FREQUENCIES]
    used = (tables >= STEPS[0]) & (tables <= STEPS[-1])
    return phasor, phasor * outside, outside, np.clip(tables - STEPS[0], 0, len(STEPS) - 1), used


def _region(y: np.ndarray) -> np.ndarray:
    """(T, S, S) pixels to measure: the whole image (one tile) when small, else 25 tiles."""
    h, w = y.shape
    if h * w <= REGION_PIXELS:
        return y[None, :(h - BLOCK + 1) // BLOCK * BLOCK + BLOCK - 1, :(w - BLOCK + 1) // BLOCK * BLOCK + BLOCK - 1]
    return phase_tiles(y, tile=128, per_side=5)


def quality_coherence(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Lattice coherence of every grid phase for every candidate first quality.

    Args:
        y: (H, W) float32 level-shifted luma, at least 15x15.

    Returns:
        Two (8, 8, Qn) float64 arrays in 0..1: ``[dy, dx, k]`` is the coherence of the
        blocks starting at (dy, dx) with the IJG steps of QUALITIES[k], averaged over
        FREQUENCIES (coefficients outside the dead zone, within +-RANGE), and over the
        LOWEST frequencies (every block: the two AC within +-RANGE, the DC whatever its
        level); and the number of blocks measured per phase.
    """
    phasor, outside_phasor, outside, step_index, used = _kernels()
    tiles = _region(np.asarray(y, np.float32))
    height, width = tiles.shape[1] - BLOCK + 1, tiles.shape[2] - BLOCK + 1
    bins = phasor.shape[0]
    frequencies = len(FREQUENCIES)
    offsets = np.arange(frequencies) * bins
    low_ac = np.arange(LOWEST - 1)[None, :]
    dc_steps, dc_step_index = np.unique(IJG_LUMA_TABLES[QUALITIES - 1, 0], return_inverse=True)
    dc_frequency = (2 * np.pi / dc_steps).astype(np.float32)[None, :]
    mean, low = np.empty((BLOCK, BLOCK, len(QUALITIES))), np.empty((BLOCK, BLOCK, len(QUALITIES)))
    for dy in range(BLOCK):
        for dx in range(BLOCK):
            window = np.ascontiguousarray(tiles[:, dy:dy + height, dx:dx + width]).reshape(-1, width)
            c = block_dct(window).reshape(-1, 64)[:, FREQUENCIES]
            index = ((c + RANGE) / RESOLUTION).astype(np.int64)
            inside = (index >= 0) & (index < bins)
            hist = np.bincount((index + offsets)[inside], minlength=frequencies * bins)
            hist = hist.reshape(frequencies, bins).astype(np.float64)
            support = hist @ outside
            coherence = np.where(support >= MIN_SUPPORT,
                                 np.abs(hist @ outside_phasor) / np.maximum(support, 1.0), 0.0)
            picked = coherence[np.arange(frequencies)[None, :], step_index]
            mean[dy, dx] = (picked * used).sum(axis=1) / used.sum(axis=1)
            whole = np.abs(hist[1:LOWEST] @ phasor) / np.maximum(hist[1:LOWEST].sum(axis=1, keepdims=True), 1.0)
            angle = c[:, :1] * dc_frequency
            dc = np.hypot(np.cos(angle).mean(axis=0), np.sin(angle).mean(axis=0))[dc_step_index]
            low[dy, dx] = (dc + whole[low_ac, step_index[:, 1:LOWEST]].sum(axis=1)) / LOWEST
    return mean, low, len(c)


def first_grid(y: np.ndarray, grid: GridEstimate) -> NonAlignedEvidence:
    """Look for the grid of an earlier JPEG compression, shifted from the last one.

    Args:
        y: (H, W) float32 level-shifted luma.
        grid: the detected (last) grid.

    Returns:
        The evidence; images under 15x15 pixels get probability 0.
    """
    if min(y.shape) < 2 * BLOCK - 1:
        return NonAlignedEvidence(grid.dx, grid.dy, 0.0, 0.0, 0.0, int(QUALITIES[0]), 0.0, 0)
    *coherences, blocks = quality_coherence(y)
    mean, low = (np.roll(c, (-grid.dy, -grid.dx), axis=(0, 1)) for c in coherences)  # relative to the grid
    coherence, low_coherence = mean.max(axis=2), low.max(axis=2)

    def asymmetry(c: np.ndarray) -> np.ndarray:
        return c - np.roll(c[::-1, ::-1], (1, 1), axis=(0, 1))                       # c[d] - c[-d]

    a, a_low = asymmetry(coherence), asymmetry(low_coherence)
    w, w_low, bias = NONALIGNED_WEIGHTS
    ry, rx = np.unravel_index(int(np.argmax(w * a + w_low * a_low)), a.shape)         # the likeliest phase
    z = w * float(a.max()) + w_low * float(a_low.max()) + bias
    return NonAlignedEvidence(
        dx=int((rx + grid.dx) % BLOCK), dy=int((ry + grid.dy) % BLOCK),
        asymmetry=round(float(a.max()), 4), low_asymmetry=round(float(a_low.max()), 4),
        coherence=round(float(coherence[ry, rx]), 4), quality=int(QUALITIES[int(np.argmax(mean[ry, rx]))]),
        probability=round(float(1.0 / (1.0 + np.exp(-z))), 4), blocks=blocks)
