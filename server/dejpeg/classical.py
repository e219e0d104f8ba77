"""Classical (non-learned) pixel estimators of JPEG compression history.

Three estimators, all on the level-shifted luma of :mod:`dejpeg.features`:

* :func:`detect_grid` finds the 8x8 block-grid offset of a (possibly cropped) JPEG.
* :func:`dct_variance_test` is the test of the seed ``jpeg-compression-detection``: the
  mean absolute DCT coefficient per zig-zag frequency, and the variance of the last 16
  of those means; quantization empties the highest frequencies, so a low variance says
  "quantized". It is kept as evidence, it does not drive the verdict.
* :func:`estimate_steps` recovers the quantization step of each frequency from the
  periodicity of its coefficient histogram, and :func:`quality_from_steps` turns the
  estimated luma table into an IJG quality factor (inverse IJG scaling). The verdict of
  :func:`classical_verdict` follows from how many frequencies show a clear step.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .features import BLOCK, ZIGZAG, block_dct
from .jpegfacts import IJG_LUMA_TABLES

# --- block grid -------------------------------------------------------------------------

GRID_TILE = 128
GRID_TILES_PER_SIDE = 4
ZERO_LEVEL = 0.5
"""|coefficient| below which a decoded coefficient counts as quantized to zero."""


@dataclass
class GridEstimate:
    """Detected block-grid offset.

    Attributes:
        dx, dy: offset in 0..7 of the first complete block (column, row).
        confidence: 0..1; near 0 when no phase stands out (never-compressed pixels or a
            quality near 100), near 1 for a clear JPEG grid.
        contrast: fraction of near-zero AC coefficients on the best phase minus the median
            over all 64 phases (the raw statistic behind ``confidence``).
    """

    dx: int
    dy: int
    confidence: float
    contrast: float


GRID_CONFIDENCE_WEIGHTS = (5.109, 7.891)
"""Logistic weights (log10 contrast, bias) of the grid confidence: the probability that the
phase is a real JPEG grid, fitted on training photos by ai-research/calibrate_classical.py
(confidence 0.5 at a contrast of 0.029)."""


def phase_tiles(y: np.ndarray, tile: int = GRID_TILE, per_side: int = GRID_TILES_PER_SIDE) -> np.ndarray:
    """Up to ``per_side``^2 disjoint tiles of (tile + 7)^2 pixels spread over ``y``: (T, S, S).

    Tile origins are multiples of 8, so a phase (dx, dy) inside a tile, i.e. the blocks of
    ``tiles[:, dy:dy + tile, dx:dx + tile]``, is a phase of the image. Images smaller than a
    tile give one smaller tile.
    """
    h, w = y.shape
    side = min(tile, (min(h, w) - BLOCK + 1) // BLOCK * BLOCK)
    span = side + BLOCK - 1

    def origins(extent: int) -> np.ndarray:
        count = min(per_side, extent // span)
        return np.unique(np.linspace(0, extent - span, count).astype(int) // BLOCK * BLOCK)

    tops, lefts = origins(h), origins(w)
    rows = tops[:, None, None, None] + np.arange(span)[None, None, :, None]
    cols = lefts[None, :, None, None] + np.arange(span)[None, None, None, :]
    return y[rows, cols].reshape(-1, span, span)


def detect_grid(y: np.ndarray) -> GridEstimate:
    """Find the JPEG block-grid offset from pixels.

    On the true grid, decoded DCT coefficients that the encoder quantized to zero come
    back as near-zero values; on any other phase a block straddles two coded blocks and
    those zeros are lost. The score of a phase is the fraction of AC coefficients with
    ``|c| < 0.5`` over up to 16 tiles of 128x128 pixels spread over the image.

    Args:
        y: (H, W) float32 level-shifted luma; images smaller than 15x15 get (0, 0, 0.0).

    Returns:
        The best phase and its confidence.
    """
    if min(y.shape) < 2 * BLOCK - 1:
        return GridEstimate(0, 0, 0.0, 0.0)
    tiles = phase_tiles(np.asarray(y, dtype=np.float32))
    side = (tiles.shape[1] - BLOCK + 1) // BLOCK * BLOCK
    ac = np.ones((BLOCK, BLOCK), dtype=bool)
    ac[0, 0] = False
    scores = np.empty((BLOCK, BLOCK))
    for dy in range(BLOCK):
        for dx in range(BLOCK):
            window = tiles[:, dy:dy + side, dx:dx + side]
            coefficients = block_dct(window.reshape(-1, side), 0, 0)
            scores[dy, dx] = np.mean(np.abs(coefficients[..., ac]) < ZERO_LEVEL)
    dy, dx = np.unravel_index(int(np.argmax(scores)), scores.shape)
    contrast = float(scores[dy, dx] - np.median(scores))
    slope, bias = GRID_CONFIDENCE_WEIGHTS
    confidence = float(1.0 / (1.0 + np.exp(-(slope * np.log10(max(contrast, 1e-4)) + bias))))
    return GridEstimate(int(dx), int(dy), round(confidence, 4), round(contrast, 5))


# --- DCT variance test (seed) -------------------------------------------------------------

DCT_VARIANCE_THRESHOLD = 0.0027
"""Variance of the last 16 zig-zag mean |DCT| below which the seed test says "quantized";
the balanced-accuracy optimum on training photos (ai-research/calibrate_classical.py)."""


@dataclass
class DctVarianceTest:
    """Result of the seed's DCT variance test.

    Attributes:
        mean_abs_zigzag: 64 floats, mean |coefficient| per zig-zag position.
        variance: variance of the last 16 of those means.
        quantized: ``variance < threshold``.
        threshold: the threshold used.
    """

    mean_abs_zigzag: list[float]
    variance: float
    quantized: bool
    threshold: float = DCT_VARIANCE_THRESHOLD


def dct_variance_test(coefficients: np.ndarray) -> DctVarianceTest:
    """Run the seed's DCT variance test.

    Args:
        coefficients: (..., 8, 8) block DCT coefficients (any number of blocks >= 1).
    """
    means = np.abs(coefficients.reshape(-1, 64)).mean(axis=0)[ZIGZAG]
    variance = float(np.var(means[-16:]))
    return DctVarianceTest([round(float(m), 4) for m in means], round(variance, 6),
                           variance < DCT_VARIANCE_THRESHOLD)


# --- quantization steps ------------------------------------------------------------------

MAX_STEP = 255
HIST_RESOLUTION = 0.1
HIST_MAX = 1024.0
MIN_SUPPORT = 16
"""Fewest coefficients beyond the dead zone (|c| >= q/2 - w) needed to judge a step q."""
STEP_SCORE_THRESHOLD = 0.5
WINDOW_MIN, WINDOW_RELATIVE = 0.8, 0.08
"""Half-width of the window around each multiple of q: max(0.8, 0.08 q), at most q/4.

Decoded coefficients stray from the lattice by pixel rounding (about 0.35) and, at low
quality, by colour clipping that grows with the step; the window follows both."""


@lru_cache(maxsize=1)
def _step_kernels() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bin membership matrices for every candidate step.

    Returns:
        centres (B,) float64: bin centres of |c|, B = HIST_MAX / HIST_RESOLUTION;
        on_lattice (B, Q) float32: bin centre within ``w_q`` of a nonzero multiple of q;
        beyond (B, Q) float32: bin centre >= q/2 - w_q (outside the dead zone, with
        the whole cluster of a step q/2 inside, so that multiples of the true step fail);
        chance (Q,) float64: fraction of a smooth spread that falls in the windows.
        Q indexes candidate steps 2..MAX_STEP.
    """
    centres = (np.arange(int(HIST_MAX / HIST_RESOLUTION)) + 0.5) * HIST_RESOLUTION
    steps = np.arange(2, MAX_STEP + 1, dtype=np.float64)
    windows = np.minimum(np.maximum(WINDOW_MIN, WINDOW_RELATIVE * steps), steps / 4)
    beyond = centres[:, None] >= steps[None, :] / 2 - windows[None, :]
    distance = np.abs(centres[:, None] - np.round(centres[:, None] / steps) * steps)
    on_lattice = beyond & (distance <= windows[None, :])
    return centres, on_lattice.astype(np.float32), beyond.astype(np.float32), 2 * windows / steps


@dataclass
class StepEstimate:
    """Estimated quantization table from pixels (natural order, 64 entries each).

    Attributes:
        steps: (64,) int64 estimated step per frequency, 0 where undetermined.
        score: (64,) float32 lattice score of the chosen step (0..1, 1 = every coefficient
            beyond the dead zone sits on the lattice).
        support: (64,) int64 coefficients beyond the dead zone of the chosen step.
    """

    steps: np.ndarray
    score: np.ndarray
    support: np.ndarray

    @property
    def determined(self) -> np.ndarray:
        """(64,) bool: frequencies whose step was found."""
        return self.steps > 0


def _abs_histograms(coefficients: np.ndarray) -> np.ndarray:
    """(64, B) float32 counts of |c| per frequency; the DC row skips flat blocks.

    A block with no AC energy has a DC that is a multiple of 8 whatever its history,
    so flat blocks would fake a DC step of 8 in clean graphics.
    """
    c = coefficients.reshape(-1, 64)
    bins = int(HIST_MAX / HIST_RESOLUTION)
    index = np.minimum((np.abs(c) / HIST_RESOLUTION).astype(np.int64), bins - 1)
    flat = np.all(np.abs(c[:, 1:]) < ZERO_LEVEL, axis=1)
    index += np.arange(64)[None, :] * bins
    keep = np.ones_like(index, dtype=bool)
    keep[:, 0] = ~flat
    return np.bincount(index[keep], minlength=64 * bins).reshape(64, bins).astype(np.float32)


def _refine(hist: np.ndarray, coarse: np.ndarray) -> np.ndarray:
    """Median of ``|c| / k`` over the coefficients on the lattice of each coarse step.

    A window wide enough for low-quality noise also accepts neighbours of the true step
    (56 for 55); dividing each coefficient by its multiple ``k = round(|c| / q)`` and
    taking the median recovers the step itself.

    Args:
        hist: (64, B) counts of |c|.
        coarse: (64,) candidate steps >= 2 (any value where undetermined).

    Returns:
        (64,) int64 refined steps.
    """
    centres, _, _, _ = _step_kernels()
    q = coarse[:, None].astype(np.float64)
    k = np.round(centres[None, :] / q)
    windows = np.minimum(np.maximum(WINDOW_MIN, WINDOW_RELATIVE * q), q / 4)
    on = (k >= 1) & (np.abs(centres[None, :] - k * q) <= windows)
    ratio = np.where(on, centres[None, :] / np.maximum(k, 1), np.inf)
    order = np.argsort(ratio, axis=1)
    weights = np.take_along_axis(np.where(on, hist, 0.0), order, axis=1).cumsum(axis=1)
    middle = np.argmax(weights >= weights[:, -1:] / 2, axis=1)
    median = np.take_along_axis(ratio, order, axis=1)[np.arange(len(q)), middle]
    return np.where(np.isfinite(median), np.round(median), coarse).astype(np.int64)


def estimate_steps(coefficients: np.ndarray) -> StepEstimate:
    """Estimate the quantization step of each of the 64 frequencies.

    For a candidate step q, take the coefficients outside the dead zone (|c| >= q/2 - w) and
    measure the fraction lying within a window of a nonzero multiple of q, normalised
    against the fraction a smooth distribution would put there:
    ``score = (on_lattice - chance) / (1 - chance)``. Every divisor of the true step also
    scores high while multiples of it do not, so the coarse estimate is the largest q whose
    score passes 0.5 with at least MIN_SUPPORT coefficients; :func:`_refine` then snaps it
    onto the lattice's own spacing.

    Args:
        coefficients: (..., 8, 8) block DCT coefficients on the detected grid.

    Returns:
        The estimate; frequencies that never leave the dead zone (e.g. high frequencies at
        low quality) and steps of 1 are undetermined (0).
    """
    _, on_lattice, beyond, chance = _step_kernels()
    hist = _abs_histograms(coefficients)
    hits = hist @ on_lattice
    support = hist @ beyond
    fraction = hits / np.maximum(support, 1.0)
    score = (fraction - chance[None, :]) / (1.0 - chance[None, :])
    valid = (support >= MIN_SUPPORT) & (score >= STEP_SCORE_THRESHOLD)
    last = valid.shape[1] - 1 - np.argmax(valid[:, ::-1], axis=1)
    found = valid.any(axis=1)
    rows = np.arange(64)
    steps = _refine(hist, last + 2)
    found &= steps >= 2
    return StepEstimate(
        steps=np.where(found, steps, 0).astype(np.int64),
        score=np.where(found, score[rows, last], 0.0).astype(np.float32),
        support=np.where(found, support[rows, last], 0.0).astype(np.int64),
    )


@dataclass
class StepQuality:
    """IJG quality factor fitted to an estimated luma table.

    Attributes:
        quality: mean of the qualities whose IJG luma table fits best (float, 1..100), or
            None when fewer than 2 frequencies were determined.
        fit_error: root mean cost of the fit (log2 units, see :func:`quality_from_steps`).
        frequencies: number of determined frequencies used.
    """

    quality: float | None
    fit_error: float | None
    frequencies: int


OUTLIER_COST = 1.0
"""Cap of the squared log2 error of one frequency (1.0 = a factor of two), so that one
wrong step (often a divisor of the true one) cannot outvote the rest."""


def quality_from_steps(estimate: StepEstimate) -> StepQuality:
    """Inverse IJG scaling: the quality whose luma table best matches the estimated steps.

    Per determined frequency the cost is the squared log2 ratio of table entry and
    estimate, capped at OUTLIER_COST.
    Where several qualities tie (their tables agree on those frequencies) their mean is
    returned.
    """
    used = estimate.determined
    n = int(used.sum())
    if n < 2:
        return StepQuality(None, None, n)
    tables = IJG_LUMA_TABLES[:, used]
    steps = estimate.steps[used][None, :]
    cost = np.minimum(np.log2(tables / steps) ** 2, OUTLIER_COST)
    errors = cost.mean(axis=1)
    best = np.flatnonzero(errors <= errors.min() + 1e-9) + 1
    return StepQuality(round(float(best.mean()), 2), round(float(np.sqrt(errors.min())), 4), n)


# --- verdict ------------------------------------------------------------------------------

VERDICT_WEIGHTS = (3.529, 1.084, 4.175)
"""Logistic weights of :func:`verdict_features` (bias last), fitted on 800 random crops of
the training photos by ``ai-research/calibrate_classical.py --samples 800`` (balanced
accuracy 0.991 there, no false positive)."""


def verdict_features(contrast: float, estimate: StepEstimate) -> tuple[float, float]:
    """The two numbers the classical verdict is based on.

    Returns:
        (log10 of the grid contrast, floored at 1e-4; number of frequencies with a clear
        step, capped at 8).
    """
    return float(np.log10(max(contrast, 1e-4))), float(min(int(estimate.determined.sum()), 8))


def classical_verdict(contrast: float, estimate: StepEstimate) -> float:
    """Probability that the pixels were JPEG-quantized (logistic on :func:`verdict_features`).

    Quantization leaves two traces that smooth natural pixels do not: near-zero
    coefficients that line up with one 8x8 phase (grid contrast), and coefficient
    histograms that sit on a lattice (determined steps).
    """
    z = float(np.dot(VERDICT_WEIGHTS[:-1], verdict_features(contrast, estimate)) + VERDICT_WEIGHTS[-1])
    return float(1.0 / (1.0 + np.exp(-z)))


@dataclass
class ClassicalResult:
    """Everything the classical estimators say about one image's pixels."""

    grid: GridEstimate
    variance_test: DctVarianceTest
    steps: StepEstimate
    step_quality: StepQuality
    probability_compressed: float
    blocks: int

    @property
    def compressed(self) -> bool:
        """True when the classical verdict says the pixels were quantized."""
        return self.probability_compressed >= 0.5


def analyze_blocks(grid: GridEstimate, coefficients: np.ndarray) -> ClassicalResult:
    """Run the classical estimators on the block DCT of the detected grid.

    Args:
        grid: from :func:`detect_grid`.
        coefficients: (Bh, Bw, 8, 8) block DCT on that grid (may hold no block).
    """
    if coefficients.size == 0:
        coefficients = np.zeros((1, 1, BLOCK, BLOCK), dtype=np.float32)
    steps = estimate_steps(coefficients)
    return ClassicalResult(
        grid=grid,
        variance_test=dct_variance_test(coefficients),
        steps=steps,
        step_quality=quality_from_steps(steps),
        probability_compressed=round(classical_verdict(grid.contrast, steps), 4),
        blocks=int(np.prod(coefficients.shape[:2])),
    )


def grid_blocks(y: np.ndarray) -> tuple[GridEstimate, np.ndarray]:
    """Detect the block grid of a level-shifted luma image and take the block DCT on it.

    Returns:
        (grid, (Bh, Bw, 8, 8) float32 coefficients on that grid).
    """
    grid = detect_grid(y)
    return grid, block_dct(y, grid.dx, grid.dy)


def analyze_pixels(y: np.ndarray) -> ClassicalResult:
    """Detect the grid and run every classical estimator on a level-shifted luma image.

    Args:
        y: (H, W) float32 level-shifted luma.
    """
    return analyze_blocks(*grid_blocks(y))
