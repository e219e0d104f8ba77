"""Aligned double JPEG: the comb that re-quantization leaves in a histogram.

When a JPEG at quality QF1 is decoded and saved again at a higher QF2 on the same block
grid, every coefficient is quantized twice: first to a multiple ``j s1`` of the coarse step,
then to the nearest multiple ``k s2`` of the finer one. In units of s2 the values can then
only be ``k = round(j s1 / s2)``: with ``s1 / s2 = 1.4`` the bins k = 2, 5, 9, ... stay
empty, with 1.25 the bins at the ties share one value's mass and the others get a full one.
A single compression at QF2 fills every k following a smooth envelope.

The test takes the 15 lowest zig-zag AC frequencies on the detected grid, counts ``|k|`` per
frequency, and fits a smooth envelope E(k) to the counts (a quadratic in k for log counts).
An aligned double with first steps s1 predicts the counts ``E(k) m(k)``, where the
occupancy m(k) follows from where the multiples of s1 land (:func:`occupancy`); a single
predicts E(k). The evidence is the Poisson log-likelihood ratio of the two, maximised over
the candidate first qualities (IJG tables); the best candidate is the primary QF. The last
quality is taken from the pixels' own lattice, near the estimate it is given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from .features import ZIGZAG
from .jpegfacts import IJG_LUMA_TABLES

FREQUENCIES = ZIGZAG[1:16]
"""Natural-order indices of the 15 lowest zig-zag AC frequencies (the DC follows the
image's brightness histogram, which no smooth envelope fits)."""
MAX_K = 64
"""Largest |c| / s2 counted."""
TOLERANCE = 1.0
"""Largest |c - k s2| of a coefficient counted on the lattice of s2 (decoding noise)."""
NOISE = 0.6
"""DCT-domain standard deviation of a first-quantized value ``j s1`` by the time it is
quantized again (pixel rounding and colour conversion in between)."""
FLOOR = 0.02
"""Least occupancy a bin is given (model slack: a double cannot reach the bin otherwise)."""
MIN_RATIO = 1.1
"""A frequency judges a candidate only when s1 / s2 exceeds this (else m = 1)."""
LAST_QUALITY_SEARCH = 3
"""The last quality is searched within this distance of the given estimate."""
MAX_BLOCKS = 32768
"""Blocks used at most (evenly strided), which bounds the time on large images."""

REQUANTIZATION_WEIGHTS = (0.387, -2.707)
"""Logistic weights (:func:`llr_feature` of the log-likelihood ratio, bias) of P(aligned
double), fitted on 1200 crops of the training photos by ``ai-research/calibrate_double.py
--samples 1200``: P = 0.5 at a ratio of about e^7; 0.3% of single crops and 0% of the never
compressed reach it there (0% of both on the validation photos)."""


def llr_feature(llr: float) -> float:
    """``sign(llr) log(1 + |llr|)``: the log-likelihood ratio on a scale a logistic can use
    (it grows with the number of blocks, into the tens of thousands)."""
    return float(np.sign(llr) * np.log1p(abs(llr)))


@dataclass
class RequantizationEvidence:
    """What the re-quantization test found.

    Attributes:
        log_likelihood_ratio: Poisson log-likelihood of the best aligned-double candidate
            minus that of a single compression (> 0 favours the double; 0 when untestable).
        primary_quality: the best candidate first quality, or None when no candidate beats
            a single compression.
        last_quality: the last quality whose lattice the coefficients sit on.
        probability: P(aligned double compression with QF1 < QF2), 0..1.
    """

    log_likelihood_ratio: float
    primary_quality: int | None
    last_quality: int | None
    probability: float

    def to_json(self) -> dict:
        return {"log_likelihood_ratio": self.log_likelihood_ratio, "primary_quality": self.primary_quality,
                "last_quality": self.last_quality, "probability": self.probability}


UNTESTABLE = RequantizationEvidence(0.0, None, None, 0.0)


_STEPS = IJG_LUMA_TABLES[:, FREQUENCIES].astype(np.float64)
"""(100, F) IJG luma steps of FREQUENCIES; row q - 1 is quality q."""


def _lattice_quality(c: np.ndarray, estimate: float) -> int:
    """The quality near ``estimate`` whose steps hold the coefficients on their lattice best.

    Per frequency, the fraction of coefficients outside the dead zone lying within
    TOLERANCE of a multiple of the step, against the fraction ``2 TOLERANCE / s`` a smooth
    spread would put there, normalised to 0..1 and summed over the frequencies (steps of
    ``2 TOLERANCE`` or less say nothing and add 0). Exact ties go to the lowest quality.

    Args:
        c: (N, F) coefficients of FREQUENCIES.
    """
    candidates = np.arange(max(1, round(estimate) - LAST_QUALITY_SEARCH),
                           min(100, round(estimate) + LAST_QUALITY_SEARCH) + 1)
    steps = _STEPS[candidates - 1][:, None, :]                        # (C, 1, F)
    outside = np.abs(c)[None] >= steps / 2
    on = outside & (np.abs(c[None] - np.rint(c[None] / steps) * steps) <= TOLERANCE)
    fraction = on.sum(axis=1) / np.maximum(outside.sum(axis=1), 1)      # (C, F)
    chance = np.minimum(2 * TOLERANCE / steps[:, 0], 1.0)
    informative = chance < 1.0
    score = np.where(informative, (fraction - chance) / np.maximum(1 - chance, 1e-9), 0.0).sum(axis=1)
    return int(candidates[np.flatnonzero(score >= score.max() - 1e-6)[0]])


def _envelope(counts: np.ndarray) -> np.ndarray:
    """Smooth expected counts of |k| = 1..MAX_K per frequency (0 where not fitted).

    Args:
        counts: (F, MAX_K + 1) counts of |k|.

    Returns:
        (F, MAX_K + 1) float64; log counts fitted by a quadratic in k, weighted by the
        square root of the counts, over the bins k >= 1 holding at least 3 coefficients,
        and evaluated up to the last such bin.
    """
    k = np.arange(counts.shape[1], dtype=np.float64)
    expected = np.zeros(counts.shape)
    for f, row in enumerate(counts):           # 15 small least-squares fits
        used = (k >= 1) & (row >= 3)
        if used.sum() < 4:
            continue
        weight = np.sqrt(row[used])
        basis = np.stack([np.ones(used.sum()), k[used], k[used] ** 2], axis=1)
        fit = np.linalg.lstsq(basis * weight[:, None], np.log(row[used]) * weight, rcond=None)[0]
        span = slice(1, int(k[used].max()) + 1)
        expected[f, span] = np.exp(fit[0] + fit[1] * k[span] + fit[2] * k[span] ** 2)
    return expected


def occupancy(first_steps: np.ndarray, last_steps: np.ndarray) -> np.ndarray:
    """Counts of |k| = c / s2 under an aligned double, relative to a smooth envelope.

    The first compression puts the envelope's mass on the multiples ``j s1``, each holding
    ``s1 / s2`` bins' worth; the second sends ``j s1`` (plus Gaussian noise NOISE) to the
    nearest ``k s2``.

    Args:
        first_steps: (C, F) steps s1 of candidate first compressions.
        last_steps: (F,) steps s2 of the last compression.

    Returns:
        (C, F, MAX_K + 1) float64 m(k) >= 0: 0 for bins no multiple reaches, about 1 on
        average; exactly 1 where ``s1 / s2 <= MIN_RATIO`` (no trace) and for k = 0.
    """
    k = np.arange(MAX_K + 1, dtype=np.float64)[None, None, :]
    s1, s2 = first_steps[:, :, None], last_steps[None, :, None]
    base = np.floor(k * s2 / s1)
    m = np.zeros(np.broadcast_shapes(s1.shape, k.shape))
    for j in (base - 1, base, base + 1, base + 2):
        value = j * s1
        m += (ndtr(((k + 0.5) * s2 - value) / NOISE) - ndtr(((k - 0.5) * s2 - value) / NOISE)) * (j >= 0)
    m *= s1 / s2
    m = np.where(s1 / s2 > MIN_RATIO, m, 1.0)
    m[..., 0] = 1.0
    return m


def requantization(coefficients: np.ndarray, last_quality: float | None) -> RequantizationEvidence:
    """Test the block DCT on the detected grid for an aligned earlier, coarser compression.

    Args:
        coefficients: (Bh, Bw, 8, 8) block DCT on the detected grid.
        last_quality: estimate of the last compression's QF (None: untestable).

    Returns:
        The evidence; :data:`UNTESTABLE` when there is no estimate or no block.
    """
    c = coefficients.reshape(-1, 64)[:, FREQUENCIES].astype(np.float64)
    if last_quality is None or len(c) == 0:
        return UNTESTABLE
    c = c[::max(1, len(c) // MAX_BLOCKS)]
    last = _lattice_quality(c, last_quality)
    candidates = np.arange(max(1, last - 60), last - 2)
    if len(candidates) == 0:
        return RequantizationEvidence(0.0, None, last, 0.0)
    s2 = _STEPS[last - 1]
    k = np.abs(np.rint(c / s2)).astype(np.int64)
    index = np.where(k <= MAX_K, k + np.arange(len(FREQUENCIES)) * (MAX_K + 1), -1)
    counts = np.bincount(index[index >= 0], minlength=len(FREQUENCIES) * (MAX_K + 1))
    counts = counts.reshape(len(FREQUENCIES), MAX_K + 1).astype(np.float64)
    counts[:, MAX_K] = 0.0                     # the last bin may hold a truncated tail
    expected = _envelope(counts)
    fitted = expected > 0                      # bins of fitted frequencies, k >= 1
    m = np.maximum(occupancy(_STEPS[candidates - 1], s2), FLOOR)
    llr = np.where(fitted, counts * np.log(m) - expected * (m - 1.0), 0.0).sum(axis=(1, 2))
    best = int(np.argmax(llr))
    slope, bias = REQUANTIZATION_WEIGHTS
    z = slope * llr_feature(llr[best]) + bias
    return RequantizationEvidence(round(float(llr[best]), 2), int(candidates[best]) if llr[best] > 0 else None,
                                  last, round(float(1.0 / (1.0 + np.exp(-z))), 4))
