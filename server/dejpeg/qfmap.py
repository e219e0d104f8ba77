"""Pixelwise QF map and compression-flag map: where the pixels carry another JPEG history.

Works at block resolution on the detected grid (one 8x8 block = one cell), then
upsamples to pixels:

1. :func:`block_features`: per block, classical evidence of quantization (lattice fit for
   20 candidate IJG qualities, fit to the image's own estimated table, zero fraction, AC
   energy) and of a grid at any phase (within-block blockiness profile, which shows a
   pasted region on a shifted grid).
2. Small dilated CNNs (:mod:`dejpeg.models.qfmap`, receptive field 45 blocks plus a
   global context; an ensemble whose maps are averaged) turn them into the QF of the last
   compression, P(compressed) and P(history differs from the image's dominant one) per block.
3. :func:`find_regions` segments the cells whose history differs from the image's
   dominant one into regions, helped by three classical cues: blocks off the dominant
   table's lattice (:func:`dominant_misfit`), blocks on the lattice of a coarser table
   found where the network sees a difference (:func:`coarser_fit`), and the blocks that a
   second quantization table explains better than the dominant one (:func:`two_table_split`);
   :func:`refine_quality` replaces the network's QF of each segment by the IJG quality on
   whose lattice its blocks sit, where they do (exact QFs in uniform areas, the last QF of
   a double JPEG); :func:`describe_regions` gives boxes, areas, QF inside vs the rest's.

Entry point: :func:`estimate_maps`. Shapes and ranges are in each docstring.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np
from scipy import ndimage

from .classical import GridEstimate, estimate_steps
from .features import BLOCK, ZIGZAG, block_dct, block_view
from .jpegfacts import IJG_LUMA_TABLES

QUALITIES = np.array([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 98])
"""(20,) candidate IJG qualities of the lattice features."""
FREQUENCIES = ZIGZAG[:32]
"""(32,) natural-order frequencies of the lattice features: DC and the 31 lowest AC."""
_STEPS = IJG_LUMA_TABLES[QUALITIES - 1][:, FREQUENCIES].astype(np.float32)          # (20, 32)
_INVERSE_STEPS = 1.0 / _STEPS
_USED = _STEPS >= 2
_LATTICE_WEIGHTS = (_USED * _STEPS ** 2 / (_USED * _STEPS ** 2 / 12.0).sum(axis=1, keepdims=True)).T.astype(
    np.float32)                                                                     # (32, 20)
LATTICE_CHUNK = 4096
"""Blocks per chunk of :func:`lattice_fit` (its buffers then stay in a core's L2 cache)."""
TABLE_BLOCKS = 16384
"""Blocks (evenly strided) from which the image's own quantization table is estimated."""
CHANNELS = len(QUALITIES) + 2 + 4 + 3 + 2 * BLOCK
"""K = 45 block features: 20 lattice fits, zero fraction, AC energy, 4 fits to the image's
own table, 3 of the image's two tables (:func:`table_cues`), 8 column + 8 row phases (the
last 16 channels)."""
ENERGY = len(QUALITIES) + 1
"""Channel of log1p(mean AC c^2) / 8."""
OWN_TABLE = slice(len(QUALITIES) + 2, len(QUALITIES) + 6)
"""Channels of :func:`table_fit` with the image's own table."""
TABLE_CUES = slice(len(QUALITIES) + 6, len(QUALITIES) + 9)
"""Channels of the image's two tables (:class:`TableCues`)."""
COLUMN_PHASES = slice(CHANNELS - 2 * BLOCK, CHANNELS - BLOCK)
ROW_PHASES = slice(CHANNELS - BLOCK, CHANNELS)
PHASES = slice(CHANNELS - 2 * BLOCK, CHANNELS)
"""Channels of :func:`phase_profiles`: column then row phases."""

FLAG_THRESHOLD = 0.5
DIFFERENT_THRESHOLD = 0.5
"""P(different) from which a block belongs to a region."""
SMOOTHING = 1.5
"""Sigma (blocks) of the evidence-weighted smoothing of P(different) and of the misfit."""
MISFIT_THRESHOLD = 0.7
"""Spread (12 x mean squared distance to the lattice in steps; 0 on it, 1 for scatter) above
which a block does not fit a table. Chosen on validation-photo collages
(``evaluate_qfmap.py --source val --repeats 4``): 0.5 / 0.7 / 0.9 gave a mean IoU of
0.692 / 0.707 / 0.698 over the targeted cases."""
COARSER_FIT_THRESHOLD = 0.35
"""Smoothed spread (as :data:`MISFIT_THRESHOLD`) under which a block fits the coarser table
of :func:`coarser_fit`. Chosen on validation-photo collages (``evaluate_qfmap.py --source val
--repeats 4 --sweep COARSER_FIT_THRESHOLD=0.25,0.35,0.5``): a mean IoU of 0.742 / 0.744 /
0.744 over the targeted cases, against 0.733 without the cue."""
CUE_AGREEMENT = 0.2
"""Network score (P(different) mixed with its neighbours', as :func:`find_regions` uses it)
from which a block marked by a classical cue counts: a cue that fires on the wrong table's side
(e.g. a misfit to the region's own table, which the dominance test chose because the region's
finer blocks hold more informative coefficients) marks background where the network sees none.
Chosen on validation-photo collages (``evaluate_qfmap.py --source val --repeats 4``): first
per connected area of a cue (its mean score; 0 (no gating) / 0.2 / 0.3 / 0.4 gave a mean IoU of
0.834 / 0.840 / 0.837 / 0.836 over the targeted cases), then per block within those areas
(``--sweep CUE_FLOOR=...`` on a scratch constant: 0 / 0.05 / 0.1 / 0.2 / 0.25 / 0.3 / 0.4 gave
0.840 / 0.843 / 0.843 / 0.843 / 0.842 / 0.839 / 0.830); at 0.2 per block the area test is
implied, so only the block test is left."""
MIN_REGION_BLOCKS = 16
MIN_REGION_FRACTION = 0.002
MIN_REGION_EVIDENCE = 0.1
"""Mean evidence (:func:`evidence_weights`, 0.05 for a flat block) under which a flagged region
of a never-compressed image is dropped: a flat area (blown highlights, a clear sky), whose AC
coefficients are all zero as after a coarse quantization, is no evidence of compression. Chosen
on the validation collages (``evaluate_qfmap.py --source val --repeats 4 --sweep
MIN_REGION_EVIDENCE=0,0.1,0.15,0.2``): mean IoU 0.805 / 0.810 / 0.810 / 0.797 (only the
never-compressed backgrounds change: 0.872 / 0.890 / 0.890 / 0.839)."""
LATTICE_NOISE = 1.0
"""Standard deviation of a decoded JPEG's DCT coefficient around its lattice point (pixel
rounding, colour conversion, clipping), in coefficient units, as :func:`two_tables` and
:func:`two_table_split` model it."""
LAST_TABLE_NOISE = 0.35
"""The same deviation as :func:`last_table_quality` models it: tight (a decoded coefficient
strays about 0.3 from its lattice point), so that the last table of a double JPEG, on whose
lattice the coefficients sit exactly, beats a coarser first table near whose lattice they
only cluster. On the validation collages (scratch harness) 1.0 / 0.7 / 0.5 / 0.35 gave the
exact last QF of 82% / 95% / 95% / 95% of the double-compressed areas; on the synthetic
photo of the tests, 0.5 still took QF 20 then 85 for 20 (0.35: 85)."""
WRAPPED_STEPS = 6.0
"""Steps below this many noise deviations sum the Gaussians of the neighbouring lattice
points too (above, the nearest one alone is exact to within e^-4.5)."""
LATTICE_FLOOR = -2.0
"""Lowest log-likelihood ratio of one coefficient (an off-lattice coefficient costs at most
this much: clipping and non-IJG decoders make a few of them)."""
INFORMATIVE = 2.0
"""|c| from which a coefficient counts as evidence (smaller ones sit at 0 on every lattice)."""
FLAT_DC_NOISE = 8.0 / np.sqrt(12.0)
"""Deviation of a flat block's DC around its lattice point: its 64 pixels round to the same
integer, so the DC moves by 8 x a rounding error uniform in [-1/2, 1/2] (a textured block's
independent roundings average out)."""
CLIPPED_DC = (-8.0 * 127.5, 8.0 * 126.5)
"""A DC at or beyond these (the block's mean within half a grey level of 0 or 255) is set by
clipping, not by a quantizer: a blown-out highlight's DC, 1016, sits near the lattice of any
step that nearly divides it."""
HYPOTHESIS_BLOCKS = 4096
"""Blocks (evenly strided, among those with at least 2 informative coefficients) on which the
tables of :func:`two_tables` are chosen."""
LAST_TABLE_BLOCKS = 1024
"""The same for :func:`last_table_quality`: on the validation collages 4096 / 1024 / 512
blocks found the same QFs (1024 takes 0.4x the time of 4096)."""
CONFLICTING_STEPS = 2
"""Frequencies with other steps that make a second table a different history (:func:`two_tables`)."""
SECOND_TABLE_GAIN = 0.3
"""Mean log-likelihood gain per block from which a second table counts (:func:`two_tables`)."""
TWO_TABLE_MARGIN = 1.0
"""Smoothed log-likelihood ratio per block from which a block follows the second table
(:func:`two_table_split`)."""
REFINED_REGIONS = 8
"""The rest of the image and at most this many (largest) regions are refined."""
REFINE_EVIDENCE = 1.0
"""Mean log-likelihood ratio per informed block ("on this IJG table's lattice" vs "never
quantized", :func:`last_table_quality`) from which a segment's QF is the table's. Chosen on
the validation collages (scratch harness, block-level QF MAE inside uniform areas): 0.5 / 1 /
2 / 3 gave 3.7 / 0.3 / 0.4 / 0.4 on QF-x regions in never-compressed images, 5.5 / 3.2 / 3.2
/ 3.2 on regions on a shifted grid (off the detected grid, their evidence is weak), 2.9 / 2.9
/ 3.6 / 3.9 on double-compressed regions."""
_IJG_TABLES = IJG_LUMA_TABLES[:99].reshape(99, 64)
"""(99, 64) IJG luma steps of QF 1..99 (natural order); row q - 1 is quality q."""


def lattice_fit(coefficients: np.ndarray) -> np.ndarray:
    """How well each block's coefficients sit on each candidate quality's lattice.

    For quality Q with luma steps q_f (frequencies with q_f >= 2 among :data:`FREQUENCIES`),
    ``r_Q = sum_f (c_f - q_f round(c_f / q_f))^2 / sum_f q_f^2 / 12``: about 1 for
    unquantized texture, near 0 when the block was quantized with Q's table (or is flat).

    Args:
        coefficients: (N, 64) float32 block DCT, natural order.

    Returns:
        (N, 20) float32 ``log(r_Q + 1e-3)``, in about [-6.9, 1.5].
    """
    c = np.ascontiguousarray(coefficients[:, FREQUENCIES], dtype=np.float32)       # (N, 32)
    out = np.empty((len(c), len(QUALITIES)), np.float32)
    scaled = np.empty((min(len(c), LATTICE_CHUNK), len(FREQUENCIES)), np.float32)
    nearest = np.empty_like(scaled)
    for start in range(0, len(c), LATTICE_CHUNK):           # chunks that stay in the CPU cache
        part = c[start:start + LATTICE_CHUNK]
        s, r = scaled[:len(part)], nearest[:len(part)]
        for k, inverse in enumerate(_INVERSE_STEPS):        # 20 qualities, each vectorised over blocks
            np.multiply(part, inverse, out=s)
            np.rint(s, out=r)
            s -= r
            np.square(s, out=s)
            np.matmul(s, _LATTICE_WEIGHTS[:, k], out=out[start:start + len(part), k])
    return np.log(out + 1e-3)


def phase_profiles(y: np.ndarray, grid: GridEstimate, shape: tuple[int, int]) -> np.ndarray:
    """Within-block blockiness: mean |second difference| at each column and row phase.

    Entry ``[i, j, k]`` (k < 8) is the mean |horizontal second difference| centred on
    column k of block (i, j), ``[i, j, 8 + k]`` the vertical one on row k, each divided by
    the block's mean over its 8 phases. A JPEG grid shows a bump at the phases next to
    its block boundaries: 0 and 7 on the detected grid, elsewhere for a shifted one.

    Args:
        y: (H, W) float32 level-shifted luma.
        grid: the detected grid.
        shape: (Bh, Bw), the blocks on that grid.

    Returns:
        (Bh, Bw, 16) float32 log-ratios clipped to +-2 (0 = no periodic structure).
    """
    bh, bw = shape
    profiles = []
    for axis in (1, 0):
        second = np.empty_like(y)                      # |y[k-1] - 2 y[k] + y[k+1]|, 0 at the borders
        if axis == 1:
            inner, before, after, centre = second[:, 1:-1], y[:, :-2], y[:, 2:], y[:, 1:-1]
            second[:, [0, -1]] = 0.0
        else:
            inner, before, after, centre = second[1:-1], y[:-2], y[2:], y[1:-1]
            second[[0, -1]] = 0.0
        np.add(before, after, out=inner)
        inner -= centre
        inner -= centre
        np.abs(inner, out=inner)
        blocks = block_view(second, grid.dx, grid.dy)[:bh, :bw]
        profiles.append(blocks.sum(axis=2 if axis == 1 else 3))
    profile = np.concatenate(profiles, axis=-1)                                    # (Bh, Bw, 16)
    mean = np.concatenate([profile[..., :BLOCK].mean(-1, keepdims=True).repeat(BLOCK, -1),
                           profile[..., BLOCK:].mean(-1, keepdims=True).repeat(BLOCK, -1)], axis=-1)
    ratio = (profile + 1e-2) / (mean + 1e-2)
    return np.clip(np.log(ratio), -2.0, 2.0).astype(np.float32)


def image_table(coefficients: np.ndarray) -> np.ndarray:
    """The image's dominant luma quantization table, estimated from its blocks.

    Args:
        coefficients: (N, 64) block DCT (natural order).

    Returns:
        (64,) int64 steps from :func:`dejpeg.classical.estimate_steps` on at most
        :data:`TABLE_BLOCKS` evenly strided blocks; 0 where undetermined.
    """
    picked = coefficients[::max(1, -(-len(coefficients) // TABLE_BLOCKS))]
    return estimate_steps(picked.reshape(-1, BLOCK, BLOCK)).steps


def table_fit(coefficients: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """How well each block fits the image's own table: the cue that separates a region
    from a background of another QF, whatever their IJG candidates.

    Over the frequencies with a step >= 2: ``fit = sum (c - q round(c/q))^2 / sum q^2/12``
    (near 0 on the table's lattice, about 1 off it), and over the coefficients outside the
    dead zone (|c| >= q/2) only, the mean of ``12 (c/q - round(c/q))^2`` (0 on the lattice,
    1 for uniform scatter; 0 without such coefficients) and their number.

    Args:
        coefficients: (N, 64) block DCT; steps: (64,) from :func:`image_table`.

    Returns:
        (N, 4) float32: [log(fit + 1e-3) / 3, informative mean error / 3,
        log1p(informative count) / 3, 1 if at least 3 steps were found else 0].
    """
    used = steps >= 2
    if used.sum() < 3:
        return np.zeros((len(coefficients), 4), np.float32)
    q = steps[used].astype(np.float32)
    ratio = coefficients[:, used] / q
    error = np.square(ratio - np.rint(ratio))
    fit = (error @ q ** 2) / (q ** 2 / 12.0).sum()
    informative = np.abs(ratio) >= 0.5
    count = informative.sum(axis=1)
    spread = 12.0 * (error * informative).sum(axis=1) / np.maximum(count, 1)
    return np.stack([np.log(fit + 1e-3) / 3.0, spread / 3.0, np.log1p(count) / 3.0,
                     np.ones(len(coefficients), np.float32)], axis=1).astype(np.float32)


@dataclass(frozen=True)
class TableCues:
    """What the image's quantization tables say, block by block.

    Attributes:
        table: (64,) int64 the image's own estimated steps (:func:`image_table`).
        tables: (T, 64) the T = 0, 1 or 2 tables of :func:`two_tables` [first, second].
        evidence: (Bh, Bw, 2) float32 :func:`lattice_evidence` of each block for them (0 for a
            missing table).
        ratio: (Bh, Bw) float32 second minus first, Gaussian-smoothed (sigma :data:`SMOOTHING`
            blocks: flat blocks, with no evidence, follow their neighbours); 0 unless T = 2.
    """

    table: np.ndarray
    tables: np.ndarray
    evidence: np.ndarray
    ratio: np.ndarray


def table_cues(coefficients: np.ndarray) -> TableCues:
    """:class:`TableCues` of the (Bh, Bw, 8, 8) block DCT of an image."""
    bh, bw = coefficients.shape[:2]
    flat = coefficients.reshape(-1, 64)
    table = image_table(flat)
    tables = two_tables(flat, table)
    tables = np.zeros((0, 64), np.int64) if tables is None else tables
    evidence = np.zeros((bh, bw, 2), np.float32)
    evidence[..., :len(tables)] = lattice_evidence(flat, tables).reshape(bh, bw, len(tables))
    ratio = np.zeros((bh, bw), np.float32)
    if len(tables) == 2:
        ratio = ndimage.gaussian_filter(evidence[..., 1] - evidence[..., 0], SMOOTHING, mode="nearest")
    return TableCues(table, tables, evidence, ratio)


def _signed_log(x: np.ndarray) -> np.ndarray:
    """sign(x) log1p(|x|) / 3: log-likelihood sums of any size to order 1."""
    return np.sign(x) * np.log1p(np.abs(x)) / 3.0


def block_features(y: np.ndarray, grid: GridEstimate, coefficients: np.ndarray) -> np.ndarray:
    """The QF-map network's input: :func:`block_features_and_cues` without the cues."""
    return block_features_and_cues(y, grid, coefficients)[0]


def block_features_and_cues(y: np.ndarray, grid: GridEstimate,
                            coefficients: np.ndarray) -> tuple[np.ndarray, TableCues]:
    """The QF-map network's input, and the image's :func:`table_cues` it holds.

    The table cues (and the fit to the image's own table, which needs them) are computed in
    a second thread while this one computes the rest: numpy releases the GIL in its array
    loops, so the two halves run on two cores (0.8 s instead of 1.2 s for 12 MP here).

    Args:
        y: (H, W) float32 level-shifted luma (:func:`dejpeg.features.luma`).
        grid: the detected grid (:func:`dejpeg.classical.detect_grid`).
        coefficients: (Bh, Bw, 8, 8) block DCT of ``y`` on that grid.

    Returns:
        (Bh, Bw, 45) float32, each channel of order 1: 20 lattice fits / 3, the fraction
        of AC coefficients with |c| < 0.5, log1p(mean AC c^2) / 8, 4 fits to the image's
        own table (:func:`table_fit`), the evidence for the image's first and second tables
        and their smoothed ratio (:class:`TableCues`, signed log / 3; 0 for a missing
        table), 16 phase profiles / 2; and the :class:`TableCues`.
    """
    bh, bw = coefficients.shape[:2]
    flat = coefficients.reshape(-1, 64)

    def with_own_fit() -> tuple[TableCues, np.ndarray]:
        cues = table_cues(coefficients)
        return cues, table_fit(flat, cues.table)

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(with_own_fit)
        lattice = lattice_fit(flat) / 3.0
        dc = flat[:, 0]
        ac_zeros = np.count_nonzero(np.abs(flat) < 0.5, axis=1) - (np.abs(dc) < 0.5)
        ac_energy = np.einsum("ij,ij->i", flat, flat) - np.square(dc)
        zeros = (ac_zeros / np.float32(BLOCK * BLOCK - 1)).astype(np.float32)[:, None]
        energy = (np.log1p(np.maximum(ac_energy, 0.0) / np.float32(BLOCK * BLOCK - 1)) / 8.0)[:, None]
        profiles = phase_profiles(np.asarray(y, np.float32), grid, (bh, bw)) / 2.0
        cues, own = pending.result()
    per_block = np.concatenate([lattice, zeros, energy, own], axis=1).reshape(bh, bw, -1)
    two = _signed_log(np.concatenate([cues.evidence, cues.ratio[..., None]], axis=-1))
    return np.concatenate([per_block, two, profiles], axis=-1).astype(np.float32), cues


def to_pixels(cells: np.ndarray, grid: GridEstimate, height: int, width: int) -> np.ndarray:
    """Upsample a (Bh, Bw) block map to (height, width) pixels on the grid.

    Each block's value fills its 8x8 pixels; the partial blocks at the borders take
    their nearest block's value. A map without blocks gives zeros.
    """
    bh, bw = cells.shape
    if bh == 0 or bw == 0:
        return np.zeros((height, width), cells.dtype)
    return _framed(cells.repeat(BLOCK, axis=0).repeat(BLOCK, axis=1), grid, height, width)


def _framed(up: np.ndarray, grid: GridEstimate, height: int, width: int) -> np.ndarray:
    """A (Bh * 8, Bw * 8) map of the complete blocks placed at the grid's offset in a
    (height, width) frame; the partial blocks at the borders repeat the nearest pixels."""
    pad = ((grid.dy, height - grid.dy - up.shape[0]), (grid.dx, width - grid.dx - up.shape[1]))
    return np.pad(up, pad, mode="edge")


def outline_pixels(cells: np.ndarray, grid: GridEstimate, height: int, width: int,
                   likelihood: np.ndarray | None = None) -> np.ndarray:
    """Upsample a (Bh, Bw) bool block mask to (height, width) pixels with smooth outlines.

    The mask is interpolated bilinearly between block centres and thresholded at 1/2, so
    an outline runs between the centres of the blocks on either side of it rather than
    along block edges: a diagonal or curved boundary loses its staircase (IoU with the true
    region +0.003 on the validation collages, every case). Borders as :func:`to_pixels`.

    With ``likelihood`` ((Bh, Bw) in 0..1, how likely each block belongs to the mask: the
    network's P(different)), the blocks along the outline, on both sides of it, take that
    value instead of 1 or 0, kept on their side of 1/2 (in 0.6..1 inside, 0..0.4 outside:
    the four pixels around a block's centre, whose bilinear weights on the neighbouring
    blocks sum to at most 1 - (15/16)^2 = 0.12, keep the mask's value), so the outline runs
    where the interpolated likelihood crosses 1/2: nearer the centre of a block the region
    only grazes, further out past one it mostly covers (a block's P(different) follows how
    much of it the region covers).
    """
    bh, bw = cells.shape
    if bh == 0 or bw == 0:
        return np.zeros((height, width), bool)
    values = cells.astype(np.float32)
    if likelihood is not None:
        outline = (cells & ~ndimage.binary_erosion(cells, border_value=1)) | (~cells & ndimage.binary_dilation(cells))
        kept = np.where(cells, np.maximum(likelihood, 0.6), np.minimum(likelihood, 0.4))
        values[outline] = kept[outline]
    up = cv2.resize(values, (bw * BLOCK, bh * BLOCK), interpolation=cv2.INTER_LINEAR)
    return _framed(up > 0.5, grid, height, width)


@dataclass
class QfMaps:
    """Per-pixel JPEG history of one image.

    Attributes:
        quality: (H, W) uint8, estimated QF of the last compression 1..100, 0 where the
            pixels look never compressed.
        flag: (H, W) bool, True where the pixels look JPEG-compressed.
        different: (H, W) bool, the union of ``regions`` (outlines placed between block
            centres by the network's P(different), :func:`outline_pixels`).
        regions: areas whose history differs from the image's dominant one, largest first:
            {"bbox": [x, y, width, height] px, "area": px, "quality": QF inside (0 = not
            compressed), "rest_quality": dominant QF of the image (0 = not compressed)}.
        block_quality: (Bh, Bw) float32 QF 0..100 per block on the grid (after refinement).
        block_probability: (Bh, Bw) float32 P(compressed) per block.
        block_different: (Bh, Bw) bool, the blocks of ``regions``.
        grid: the grid the blocks lie on.
        dominant: the rest of the image, {"compressed": bool, "quality": QF (0 = not compressed)}.
    """

    quality: np.ndarray
    flag: np.ndarray
    different: np.ndarray
    regions: list[dict]
    block_quality: np.ndarray
    block_probability: np.ndarray
    block_different: np.ndarray
    grid: GridEstimate
    dominant: dict


def weighted_neighbourhood(values: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Evidence-weighted Gaussian mean (sigma :data:`SMOOTHING` blocks) of a block map.

    Args:
        values, weight: (Bh, Bw) float maps; weight >= 0.

    Returns:
        (Bh, Bw) the weighted mean around each block, and (Bh, Bw) the smoothed weight
        (near 0 far from any evidence, where the mean means little).
    """
    total = ndimage.gaussian_filter(weight, SMOOTHING, mode="nearest")
    return ndimage.gaussian_filter(weight * values, SMOOTHING, mode="nearest") / np.maximum(total, 1e-3), total


def dominant_misfit(coefficients: np.ndarray, table: np.ndarray, shape: tuple[int, int],
                    fit: np.ndarray | None = None) -> np.ndarray | None:
    """Per block, how far its coefficients stray from the lattice of the dominant table.

    The dominant table is the image's own (:func:`image_table`) when most informative
    blocks (at least 2 coefficients outside its dead zone) fit it (spread below
    :data:`MISFIT_THRESHOLD`, see :func:`table_fit`); else the table estimated from the
    blocks that do not fit, if most blocks fit that one (the estimator favours the coarser
    of two mixed tables, which may be a pasted region's). The spread is then smoothed with
    a Gaussian (sigma :data:`SMOOTHING` blocks) weighted by each block's informative count
    (capped at 8), so flat blocks take their neighbours' evidence.

    Args:
        coefficients: (N, 64) block DCT; table: (64,) steps from :func:`image_table`;
        shape: (Bh, Bw) with Bh Bw = N; fit: (N, 4) :func:`table_fit` of ``table`` when
        already computed (the features hold it).

    Returns:
        (Bh, Bw) float32 smoothed spread (0 on the lattice, about 1 off it; 0 far from any
        evidence), or None when no table is dominant (e.g. a never-compressed image).
    """
    def fit_with(steps: np.ndarray, fit: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, bool]:
        fit = table_fit(coefficients, steps) if fit is None else fit
        spread, count = spread_and_count(fit)
        informative = count >= 2
        dominant = bool(fit[0, 3]) and informative.any() and np.mean(spread[informative] < MISFIT_THRESHOLD) >= 0.5
        return spread, count, dominant

    if len(coefficients) == 0:
        return None
    spread, count, dominant = fit_with(table, fit)
    if not dominant:
        off = (count >= 2) & (spread >= MISFIT_THRESHOLD)
        if off.sum() < MIN_REGION_BLOCKS:
            return None
        spread, count, dominant = fit_with(image_table(coefficients[off]))
        if not dominant:
            return None
    smooth, total = smoothed_spread(spread, count, shape)
    return np.where(total > 1e-2, smooth, 0.0).astype(np.float32)


def spread_and_count(fit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N,) off-lattice spread and (N,) informative count, unscaled, from (N, 4) :func:`table_fit`."""
    return fit[:, 1] * 3.0, np.expm1(fit[:, 2] * 3.0)


def smoothed_spread(spread: np.ndarray, count: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """A table's per-block spread (capped at 2), smoothed with weights = informative count (capped at 8).

    Args:
        spread, count: (N,) from :func:`spread_and_count`; shape: (Bh, Bw).

    Returns:
        (Bh, Bw) smoothed spread and (Bh, Bw) smoothed weight (see :func:`weighted_neighbourhood`).
    """
    return weighted_neighbourhood(np.minimum(spread, 2.0).reshape(shape), np.minimum(count, 8.0).reshape(shape))


def coarser_fit(coefficients: np.ndarray, table: np.ndarray, different: np.ndarray) -> np.ndarray | None:
    """Per block, how well it fits a table coarser than the image's own, found where the network
    sees a difference: the cue for a region compressed more coarsely than its background.

    Such a region's coefficients are multiples of its coarse steps, which often sit on the
    background's finer lattice as well, so :func:`dominant_misfit` misses them; the
    background's coefficients, on the other hand, scatter around the coarse lattice. The
    coarse table is estimated (:func:`image_table`) from the blocks whose
    P(different) is at least :data:`DIFFERENT_THRESHOLD`; it counts as coarser when most of
    the frequencies both tables determine (at least 3) have a larger step in it.

    Args:
        coefficients: (N, 64) block DCT; table: (64,) the image's own steps (:func:`image_table`);
        different: (Bh, Bw) P(different) from the network, Bh Bw = N.

    Returns:
        (Bh, Bw) float32 smoothed spread under the coarser table (0 on its lattice, about 1
        off it; 2 far from any evidence), or None when there are too few such blocks or
        their table is not coarser.
    """
    seeds = np.flatnonzero(different.ravel() >= DIFFERENT_THRESHOLD)
    if len(seeds) < MIN_REGION_BLOCKS or (table >= 2).sum() < 3:    # no region, or no table of the image's
        return None
    steps = image_table(coefficients[seeds])
    both = (steps >= 2) & (table >= 2)
    if both.sum() < 3 or np.mean(steps[both] > table[both]) < 0.5:
        return None
    smooth, total = smoothed_spread(*spread_and_count(table_fit(coefficients, steps)), different.shape)
    return np.where(total > 5e-2, smooth, 2.0).astype(np.float32)


def lattice_evidence(coefficients: np.ndarray, tables: np.ndarray, noise: float | None = None) -> np.ndarray:
    """Per block and table, the log-likelihood ratio "quantized with this table" vs "never quantized".

    Each informative coefficient (|c| >= :data:`INFORMATIVE`) at a frequency with step
    q >= 2 adds ``max(log(q sum_j N(d + j q; 0, noise)), LATTICE_FLOOR)``, d its
    distance to the nearest multiple of q, j = -1, 0, 1: a quantized coefficient is q times
    likelier near a lattice point than a smooth, unquantized one, and unlikely between them;
    steps within the noise (q = 2) tell almost nothing either way. The DC of a flat block (no
    informative AC coefficient) has the wider deviation :data:`FLAT_DC_NOISE`; a DC at the
    clipping level (:data:`CLIPPED_DC`) is no evidence.

    Args:
        coefficients: (N, 64) block DCT, natural order; tables: (T, 64) steps;
        noise: the deviation around a lattice point (default :data:`LATTICE_NOISE`).

    Returns:
        (N, T) float32 sums over each block's coefficients (0 for a block without informative ones).
    """
    noise = LATTICE_NOISE if noise is None else noise
    informative = np.abs(coefficients) >= INFORMATIVE
    informative[:, 0] &= (coefficients[:, 0] > CLIPPED_DC[0]) & (coefficients[:, 0] < CLIPPED_DC[1])
    rows, columns = np.nonzero(informative)                           # the informative coefficients only
    values = coefficients[rows, columns].astype(np.float32)
    flat_dc = (columns == 0) & ~informative[:, 1:].any(axis=1)[rows]
    deviation = np.where(flat_dc, max(noise, FLAT_DC_NOISE), noise).astype(np.float32)
    out = np.zeros((len(coefficients), len(tables)), np.float32)
    for k, steps in enumerate(np.asarray(tables, np.float32)):      # few tables, each vectorised over coefficients
        q = steps[columns]
        used = q >= 2
        c, q, sigma = values[used], q[used], deviation[used]
        d = (c - q * np.rint(c / q)) / sigma
        scale = np.log(q / (sigma * np.sqrt(2.0 * np.pi)))
        ratio = scale - 0.5 * np.square(d)
        near = q < WRAPPED_STEPS * sigma            # the neighbouring lattice points matter
        if near.any():
            dn, qn = d[near], q[near] / sigma[near]
            wrapped = sum(np.exp(-0.5 * np.square(dn + j * qn)) for j in (-1, 0, 1))
            ratio[near] = scale[near] + np.log(wrapped)
        out[:, k] = np.bincount(rows[used], np.maximum(ratio, LATTICE_FLOOR), minlength=len(coefficients))
    return out


def informed_blocks(coefficients: np.ndarray, limit: int) -> np.ndarray | None:
    """Indices of at most ``limit`` blocks (evenly strided) with at least 2 informative
    coefficients, on which tables are compared; None when fewer than
    :data:`MIN_REGION_BLOCKS` blocks have them.

    Args:
        coefficients: (N, 64) block DCT.
    """
    informed = np.flatnonzero((np.abs(coefficients) >= INFORMATIVE).sum(axis=1) >= 2)
    if len(informed) < MIN_REGION_BLOCKS:
        return None
    return informed[::max(1, -(-len(informed) // limit))]


def last_table_quality(coefficients: np.ndarray) -> tuple[int, float] | None:
    """The IJG quality on whose table's lattice the blocks sit (that of their last compression).

    Over :data:`LAST_TABLE_BLOCKS` :func:`informed_blocks`, the IJG table of QF 1..99 with the largest
    :func:`lattice_evidence` (noise :data:`LAST_TABLE_NOISE`, each block counting at least 0).

    Args:
        coefficients: (N, 64) block DCT of one area.

    Returns:
        (QF 1..99, mean evidence per informed block), or None without enough informed blocks.
    """
    picked = informed_blocks(coefficients, LAST_TABLE_BLOCKS)
    if picked is None:
        return None
    evidence = np.maximum(lattice_evidence(coefficients[picked], _IJG_TABLES, LAST_TABLE_NOISE), 0.0).sum(axis=0)
    best = int(np.argmax(evidence))
    return best + 1, float(evidence[best] / len(picked))


def two_tables(coefficients: np.ndarray, table: np.ndarray) -> np.ndarray | None:
    """The quantization tables that best explain the image's blocks: one, or two when there are two.

    Candidates: the IJG luma tables of QF 1..99 and the image's own estimated table. On up to
    :data:`HYPOTHESIS_BLOCKS` blocks, greedily: the table with the largest total evidence
    (:func:`lattice_evidence`, each block counting at least 0, "never quantized"), then the one
    that adds most to it when each block takes the better of the two, among those that
    contradict the first (other steps at :data:`CONFLICTING_STEPS` or more frequencies that
    both determine: the image's own table, with undetermined steps, is not a second history
    of the IJG table it was estimated from); the second counts when it adds at least
    :data:`SECOND_TABLE_GAIN` per block.

    Args:
        coefficients: (N, 64) block DCT; table: (64,) the image's own steps (:func:`image_table`).

    Returns:
        (2, 64) steps [first, second], (1, 64) [first] when one table (or none) explains the
        image, or None without :func:`informed_blocks`.
    """
    candidates = _IJG_TABLES
    if (table >= 2).sum() >= 3:
        candidates = np.concatenate([candidates, table.reshape(1, 64)])
    picked = informed_blocks(coefficients, HYPOTHESIS_BLOCKS)
    if picked is None:
        return None
    evidence = lattice_evidence(coefficients[picked], candidates)
    first = int(np.argmax(np.maximum(evidence, 0.0).sum(axis=0)))
    best = np.maximum(evidence[:, first], 0.0)
    gain = np.maximum(evidence, best[:, None]).sum(axis=0) - best.sum()
    both = (candidates >= 2) & (candidates[first] >= 2)
    gain[np.sum(both & (candidates != candidates[first]), axis=1) < CONFLICTING_STEPS] = -np.inf
    second = int(np.argmax(gain))
    if gain[second] < SECOND_TABLE_GAIN * len(picked):
        return candidates[[first]]
    return candidates[[first, second]]


def two_table_split(cues: TableCues) -> np.ndarray | None:
    """The blocks that the image's minority table explains better than its dominant one.

    With the two tables of :func:`two_tables` and each block's smoothed log-likelihood ratio
    (:class:`TableCues`), the table that wins by more than :data:`TWO_TABLE_MARGIN` on more
    blocks is the dominant one; the blocks where the other wins by that margin differ. Finds a
    region of another QF (or another last QF of a double compression), whichever is coarser,
    when both tables are among the candidates. Only the confident blocks vote: where a smooth
    background at a coarse QF keeps few informative coefficients, its blocks lean weakly
    either way, and counting every block's sign could hand the dominance to a finer region.

    Returns:
        (Bh, Bw) bool, or None when one table explains the image.
    """
    if len(cues.tables) < 2:
        return None
    second, first = cues.ratio > TWO_TABLE_MARGIN, cues.ratio < -TWO_TABLE_MARGIN
    return first if second.sum() > first.sum() else second


def evidence_weights(features: np.ndarray) -> np.ndarray:
    """How much a block's QF can be trusted: (Bh, Bw) float32 in 0.05..1.

    ``log1p(mean AC c^2) / 2`` clipped: flat blocks (all AC near 0 after any quantization)
    carry almost no trace of their table, textured ones do.
    """
    return np.clip(features[..., ENERGY] * 8.0 / 2.0, 0.05, 1.0).astype(np.float32)


def mostly_compressed(probability: np.ndarray) -> bool:
    """True when at least half the blocks are flagged compressed ((Bh, Bw) P(compressed)): the
    image's dominant history is then a JPEG, and the classical cues of :func:`find_regions` apply."""
    return bool(np.mean(probability >= FLAG_THRESHOLD) >= 0.5) if probability.size else False


def find_regions(different: np.ndarray, probability: np.ndarray, weight: np.ndarray | None = None,
                 misfit: np.ndarray | None = None, coarser: np.ndarray | None = None,
                 split: np.ndarray | None = None) -> np.ndarray:
    """Segment the blocks whose history differs from the image's dominant history.

    The dominant history is "not compressed" when fewer than half the blocks are flagged;
    then the flagged blocks differ, in regions whose mean evidence is at least
    :data:`MIN_REGION_EVIDENCE`. Otherwise a block differs when it is not flagged, or
    when the network's P(different), mixed with the evidence-weighted Gaussian mean (sigma
    :data:`SMOOTHING` blocks) of its neighbours' in proportion 1 - its own evidence
    (:func:`evidence_weights`), is at least :data:`DIFFERENT_THRESHOLD` (flat blocks, which
    keep almost no trace of their table, follow their textured neighbours; textured ones
    keep their own value, so edges are not blurred), or, when a dominant table is known
    (``misfit`` from :func:`dominant_misfit`), when its coefficients stray from that
    table's lattice (misfit above :data:`MISFIT_THRESHOLD`), or, when a coarser table was
    found (``coarser`` from :func:`coarser_fit`), when it fits that table (below
    :data:`COARSER_FIT_THRESHOLD`), or when a second table explains it better (``split`` from
    :func:`two_table_split`); the cues count only in blocks whose mixed score is at least
    :data:`CUE_AGREEMENT`. The mask is cleaned by a 3x3
    majority vote; 8-connected components smaller than max(16 blocks, 0.2% of the blocks)
    are dropped.

    Args:
        different: (Bh, Bw) P(the block's history differs), from the network.
        probability: (Bh, Bw) P(compressed) per block, from the network.
        weight: (Bh, Bw) evidence per block in 0..1 (None: all 1).
        misfit: (Bh, Bw) from :func:`dominant_misfit`, or None.
        coarser: (Bh, Bw) from :func:`coarser_fit`, or None.
        split: (Bh, Bw) bool from :func:`two_table_split`, or None.

    Returns:
        (Bh, Bw) int32 labels: 0 for the rest of the image, 1..R for the regions, largest first.
    """
    weight = np.ones_like(different) if weight is None else weight
    flag = probability >= FLAG_THRESHOLD
    if mostly_compressed(probability):
        around, _ = weighted_neighbourhood(different, weight)
        score = weight * different + (1.0 - weight) * around
        differ = ~flag | (score >= DIFFERENT_THRESHOLD)
        agree = score >= CUE_AGREEMENT
        if misfit is not None:
            differ |= agree & (misfit > MISFIT_THRESHOLD)
        if coarser is not None:
            differ |= agree & (coarser < COARSER_FIT_THRESHOLD)
        if split is not None:
            differ |= agree & split
        needed = 0.0
    else:
        differ, needed = flag, MIN_REGION_EVIDENCE
    differ = ndimage.median_filter(differ.astype(np.uint8), size=3, mode="nearest").astype(bool)
    labels, count = ndimage.label(differ, structure=np.ones((3, 3)))
    areas = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    evidence = np.bincount(labels.ravel(), weights=weight.ravel(), minlength=count + 1)[1:] / np.maximum(areas, 1)
    kept = np.flatnonzero((areas >= max(MIN_REGION_BLOCKS, MIN_REGION_FRACTION * differ.size))
                          & (evidence >= needed))
    kept = kept[np.argsort(-areas[kept], kind="stable")]
    mapping = np.zeros(count + 1, np.int32)
    mapping[kept + 1] = np.arange(1, len(kept) + 1)
    return mapping[labels]


def segment_shift(phases: np.ndarray) -> tuple[int, int]:
    """The grid of an area relative to the detected one, from its blocks' summed phase profiles.

    A block boundary between phases k - 1 and k bumps both (:func:`phase_profiles`), so the
    shift is the k whose pair sums highest; (0, 0) is the detected grid itself.

    Args:
        phases: (16,) the 8 column then 8 row phases of :func:`phase_profiles`, summed over the area.

    Returns:
        (sx, sy) in 0..7: the area's blocks start at columns ``grid.dx + sx`` (mod 8), rows likewise.
    """
    column, row = phases[:BLOCK], phases[BLOCK:]
    return int(np.argmax(column + np.roll(column, 1))), int(np.argmax(row + np.roll(row, 1)))


def shifted_blocks(y: np.ndarray, grid: GridEstimate, cells: np.ndarray, shift: tuple[int, int]) -> np.ndarray:
    """Block DCT of an area on a grid shifted from the detected one (one transform of its bounding box).

    Args:
        y: (H, W) float32 level-shifted luma; grid: the detected grid; cells: (Bh, Bw) bool,
        the area's blocks on that grid; shift: (sx, sy) from :func:`segment_shift`.

    Returns:
        (N, 64) coefficients of the blocks of the shifted grid whose centre lies in the area.
    """
    inside = to_pixels(cells, grid, *y.shape)
    rows, columns = np.flatnonzero(inside.any(axis=1)), np.flatnonzero(inside.any(axis=0))
    oy, ox = (grid.dy + shift[1]) % BLOCK, (grid.dx + shift[0]) % BLOCK
    top = oy + BLOCK * max(0, (rows[0] - oy) // BLOCK)
    left = ox + BLOCK * max(0, (columns[0] - ox) // BLOCK)
    box = (slice(top, rows[-1] + 1), slice(left, columns[-1] + 1))
    coefficients = block_dct(np.ascontiguousarray(y[box]))
    bh, bw = coefficients.shape[:2]
    centres = inside[box][BLOCK // 2::BLOCK, BLOCK // 2::BLOCK][:bh, :bw]
    return coefficients[centres].reshape(-1, BLOCK * BLOCK)


def refine_quality(quality: np.ndarray, flag: np.ndarray, labels: np.ndarray, coefficients: np.ndarray,
                   y: np.ndarray, grid: GridEstimate, phases: np.ndarray) -> np.ndarray:
    """Per segment, replace the network's QF by the IJG quality whose lattice its blocks sit on.

    The network places the segments (the rest and the :data:`REFINED_REGIONS` largest
    regions are refined); inside one, :func:`last_table_quality` of its flagged blocks gives
    the QF of the last compression exactly (also in a double JPEG) when its blocks are on
    that table's lattice (mean evidence at least :data:`REFINE_EVIDENCE` per informed block).
    When they are not, a segment whose blockiness shows another grid
    (:func:`segment_shift`) is tried again with its blocks on that grid
    (:func:`shifted_blocks`). Otherwise (a non-IJG table, too few informed blocks) the
    network's QF is kept.

    Args:
        quality: (Bh, Bw) float32 network QF; flag: (Bh, Bw) bool compressed;
        labels: (Bh, Bw) int32 from :func:`find_regions`; coefficients: (Bh, Bw, 8, 8) on
        ``grid``; y: (H, W) float32 level-shifted luma; phases: (Bh, Bw, 16) from
        :func:`phase_profiles` (scale irrelevant).

    Returns:
        (Bh, Bw) float32 QF, constant on the flagged blocks of each refined segment.
    """
    refined = quality.copy()
    flat = coefficients.reshape(-1, BLOCK * BLOCK)
    for segment in range(min(int(labels.max()), REFINED_REGIONS) + 1):     # few segments, each vectorised
        chosen = flag & (labels == segment)
        if chosen.sum() < MIN_REGION_BLOCKS:
            continue
        estimate = last_table_quality(flat[chosen.ravel()])
        if estimate is None or estimate[1] < REFINE_EVIDENCE:
            shift = segment_shift(phases[chosen].sum(axis=0))
            if shift != (0, 0):
                estimate = last_table_quality(shifted_blocks(y, grid, chosen, shift))
        if estimate is not None and estimate[1] >= REFINE_EVIDENCE:
            refined[chosen] = estimate[0]
    return refined


def describe_regions(labels: np.ndarray, quality: np.ndarray, flag: np.ndarray) -> tuple[list[dict], dict]:
    """Statistics of the segments of :func:`find_regions`, in blocks.

    Returns:
        regions in label order {"bbox": [x, y, width, height], "area", "quality" (median QF
        inside, 0 when most of it is not compressed), "rest_quality"}, and the rest of the
        image {"compressed", "quality"} (same rules).
    """
    rest_area = labels == 0
    compressed = bool(flag[rest_area].mean() >= 0.5) if rest_area.any() else False
    rest = float(np.median(quality[rest_area & flag])) if compressed else 0.0
    count = int(labels.max())
    if count == 0:
        return [], {"compressed": compressed, "quality": round(rest, 1)}
    index = np.arange(1, count + 1)
    areas = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    flagged = ndimage.mean(flag.astype(np.float32), labels, index) >= 0.5
    inside = ndimage.median(np.where(flag, quality, np.nan), labels, index)
    regions = [{"bbox": [s[1].start, s[0].start, s[1].stop - s[1].start, s[0].stop - s[0].start],
                "area": int(a), "quality": round(float(q), 1) if f else 0.0, "rest_quality": round(rest, 1)}
               for s, a, q, f in zip(ndimage.find_objects(labels), areas, inside, flagged)]
    return regions, {"compressed": compressed, "quality": round(rest, 1)}


def maps_available() -> bool:
    """True when the QF-map networks' weights ship (:func:`estimate_maps` needs them)."""
    from .models.qfmap import installed
    return installed()


def estimate_maps(y: np.ndarray, grid: GridEstimate, coefficients: np.ndarray) -> QfMaps:
    """QF map, compression-flag map and regions of different history, from pixels.

    Args:
        y: (H, W) float32 level-shifted luma in [-128, 127] (:func:`dejpeg.features.luma`).
        grid: the detected block grid (:func:`dejpeg.classical.detect_grid`).
        coefficients: (Bh, Bw, 8, 8) float32 block DCT of ``y`` on ``grid``
            (:func:`dejpeg.features.block_dct`; ``dejpeg.classical.grid_blocks`` gives both).

    Returns:
        :class:`QfMaps` at the input's full resolution; region boxes and areas in pixels.
        Deterministic. An image without a complete block gets empty maps (all 0 / False).

    Raises:
        RuntimeError: when the networks' weights are not installed (see :func:`maps_available`).
    """
    from .models.qfmap import shared_model

    height, width = y.shape
    bh, bw = coefficients.shape[:2]
    if bh == 0 or bw == 0:
        empty = np.zeros((0, 0), np.float32)
        return QfMaps(np.zeros((height, width), np.uint8), np.zeros((height, width), bool),
                      np.zeros((height, width), bool), [], empty, empty, np.zeros((0, 0), bool), grid,
                      {"compressed": False, "quality": 0.0})
    model = shared_model()
    if model is None:
        raise RuntimeError("the QF-map weights are not installed (dejpeg/models/weights/qfmap*.weights.h5)")
    flat = coefficients.reshape(-1, 64)
    features, image_tables = block_features_and_cues(y, grid, coefficients)
    quality, probability, different = model.predict(features)
    flag_cells = probability >= FLAG_THRESHOLD
    cues = (dominant_misfit(flat, image_tables.table, (bh, bw), features[..., OWN_TABLE].reshape(-1, 4)),
            coarser_fit(flat, image_tables.table, different), two_table_split(image_tables)) \
        if mostly_compressed(probability) else (None, None, None)    # find_regions uses them only then
    labels = find_regions(different, probability, evidence_weights(features), *cues)
    quality = refine_quality(quality, flag_cells, labels, coefficients, y, grid, features[..., PHASES])
    regions, dominant = describe_regions(labels, quality, flag_cells)
    qf_cells = np.where(flag_cells, np.clip(np.rint(quality), 1, 100), 0).astype(np.uint8)
    for region in regions:
        x, top, w, h = region["bbox"]
        x0, y0 = (0 if x == 0 else grid.dx + BLOCK * x), (0 if top == 0 else grid.dy + BLOCK * top)
        x1 = width if x + w == bw else grid.dx + BLOCK * (x + w)
        y1 = height if top + h == bh else grid.dy + BLOCK * (top + h)
        region["bbox"] = [int(x0), int(y0), int(x1 - x0), int(y1 - y0)]
        region["area"] = int(region["area"] * BLOCK * BLOCK)
    return QfMaps(to_pixels(qf_cells, grid, height, width), to_pixels(flag_cells, grid, height, width),
                  outline_pixels(labels > 0, grid, height, width, different), regions, quality, probability, labels > 0, grid,
                  dominant)
