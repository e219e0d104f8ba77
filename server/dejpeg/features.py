"""Pixel features of JPEG forensics: luma, 8x8 block DCT on a block grid, DCT histograms.

Everything here looks at pixels only; the file format is ignored. Conventions:

* ``luma`` is the JFIF / BT.601 full-range Y channel that libjpeg computes before
  encoding, level-shifted by -128, as float32 in [-128, 127].
* A *block grid* is given by its offset ``(dx, dy)`` in 0..7: the first complete 8x8
  block starts at column ``dx`` and row ``dy``. A JPEG cropped by ``c`` pixels on the
  left has ``dx = (8 - c % 8) % 8``.
* Block DCT coefficients use the orthonormal 2-D DCT-II, which is exactly the JPEG
  forward DCT, so a coefficient quantized with step ``q`` in the file shows up here
  close to an integer multiple of ``q``.
* Frequencies are indexed in natural (row-major) order ``u * 8 + v`` (``u`` vertical,
  ``v`` horizontal) unless a name says ``zigzag``.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import scipy.fft

BLOCK = 8
PARTITION = 256
HISTOGRAM_RANGE = 60
HISTOGRAM_BINS = 2 * HISTOGRAM_RANGE + 1

# JPEG zig-zag scan: ZIGZAG[k] is the natural index of the k-th zig-zag coefficient.
_UV = np.add.outer(np.arange(BLOCK), np.arange(BLOCK))
_ORDER = np.lexsort((np.where(_UV % 2 == 0, -np.arange(BLOCK)[:, None], np.arange(BLOCK)[:, None])
                     .ravel(), _UV.ravel()))
ZIGZAG = _ORDER.astype(np.int64)
"""(64,) int: natural index of zig-zag position k (0 = DC, 1 = (0,1), 2 = (1,0), ...)."""


def luma(pixels: np.ndarray) -> np.ndarray:
    """Level-shifted Y channel as libjpeg computes it.

    Args:
        pixels: (H, W, 3) RGB or (H, W) grayscale, uint8 (any real dtype in 0..255 works).

    Returns:
        (H, W) float32, ``0.299 R + 0.587 G + 0.114 B - 128`` (grayscale: ``P - 128``).
    """
    x = np.asarray(pixels, dtype=np.float32)
    if x.ndim == 3:
        x = x @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return x - 128.0


def block_view(y: np.ndarray, dx: int = 0, dy: int = 0) -> np.ndarray:
    """The complete 8x8 blocks of ``y`` on the grid with offset ``(dx, dy)``.

    Args:
        y: (H, W) array.
        dx, dy: grid offset in 0..7.

    Returns:
        (Bh, Bw, 8, 8) view (no copy) where ``Bh = (H - dy) // 8``, ``Bw = (W - dx) // 8``;
        Bh or Bw may be 0 for images smaller than a block.
    """
    h, w = y.shape
    bh, bw = max(h - dy, 0) // BLOCK, max(w - dx, 0) // BLOCK
    core = y[dy:dy + bh * BLOCK, dx:dx + bw * BLOCK]
    return core.reshape(bh, BLOCK, bw, BLOCK).swapaxes(1, 2)


DCT_MATRIX = scipy.fft.dct(np.eye(BLOCK), norm="ortho", axis=0).astype(np.float32)
"""(8, 8) orthonormal DCT-II basis (row k = frequency k), from SciPy."""
_BLOCK_DCT_MATRIX = np.kron(DCT_MATRIX, DCT_MATRIX).T.copy()
"""(64, 64) the 2-D transform of a row-major flattened block: ``x.ravel() @ M`` is
``(D x D^T).ravel()``, D = :data:`DCT_MATRIX`."""


def block_dct(y: np.ndarray, dx: int = 0, dy: int = 0) -> np.ndarray:
    """JPEG forward DCT of every complete block on the grid ``(dx, dy)``.

    One matrix product of the flattened blocks with the 64 x 64 separable basis, over all
    blocks at once (2.5x faster here than two 8 x 8 products, which BLAS handles poorly,
    and faster still than ``scipy.fft.dctn`` on the block axes).

    Args:
        y: (H, W) float32 level-shifted luma (see :func:`luma`).
        dx, dy: grid offset in 0..7.

    Returns:
        (Bh, Bw, 8, 8) float32 C-contiguous coefficients; ``[..., u, v]`` is vertical frequency u,
        horizontal frequency v. Range about [-1024, 1016] for the DC, smaller for AC.
    """
    blocks = block_view(np.asarray(y, dtype=np.float32), dx, dy)
    bh, bw = blocks.shape[:2]
    flat = np.ascontiguousarray(blocks).reshape(-1, BLOCK * BLOCK)
    return (flat @ _BLOCK_DCT_MATRIX).reshape(bh, bw, BLOCK, BLOCK)


@dataclass(frozen=True)
class Partition:
    """A square of the image, in pixels, whose origin lies on the block grid."""

    top: int
    left: int
    size: int


def partitions(height: int, width: int, dx: int, dy: int, size: int = PARTITION) -> list[Partition]:
    """Tile the image with grid-aligned squares covering every complete block.

    Squares start at ``(dy + size*i, dx + size*j)``; where the image does not end on a
    square boundary, one more square is placed flush with the last complete block (so
    the last row/column overlaps its neighbour). Images smaller than ``size`` give one
    square holding all their complete blocks (its ``size`` is the smaller side).
    Deterministic: the same image size and grid give the same list.

    Returns:
        Partitions in raster order; empty when the image holds no complete block.
    """
    bh, bw = max(height - dy, 0) // BLOCK, max(width - dx, 0) // BLOCK
    if bh == 0 or bw == 0:
        return []
    size = min(size, bh * BLOCK, bw * BLOCK)

    def starts(offset: int, extent_blocks: int) -> list[int]:
        end = offset + extent_blocks * BLOCK
        first = list(range(offset, end - size + 1, size))
        return first if first[-1] + size == end else first + [end - size]

    return [Partition(t, l, size) for t in starts(dy, bh) for l in starts(dx, bw)]


def _partition_means(per_block: np.ndarray, weights: np.ndarray, parts: list[Partition], dx: int, dy: int,
                     ) -> np.ndarray:
    """Weighted means of (Bh, Bw, K) block values over each partition's blocks: (P, K).

    Integral images over the block grid, so the cost does not grow with the partitions.
    """
    def integral(a: np.ndarray) -> np.ndarray:
        return np.pad(a, ((1, 0), (1, 0), (0, 0))).cumsum(axis=0).cumsum(axis=1)

    sums, counts = integral(per_block), integral(weights)
    r0 = np.array([(p.top - dy) // BLOCK for p in parts])
    c0 = np.array([(p.left - dx) // BLOCK for p in parts])
    n = np.array([p.size // BLOCK for p in parts])
    r1, c1 = r0 + n, c0 + n

    def box(t: np.ndarray) -> np.ndarray:
        return t[r1, c1] - t[r0, c1] - t[r1, c0] + t[r0, c0]

    return box(sums) / np.maximum(box(counts), 1e-9)


SECOND_DIFFERENCE = np.array([[1.0, -2.0, 1.0]], np.float32)
"""(1, 3) horizontal second-difference kernel (transpose for vertical)."""


def _abs_second_difference(y: np.ndarray, axis: int) -> np.ndarray:
    """|y[i-1] - 2 y[i] + y[i+1]| along ``axis`` (1: horizontal), same shape, 0 on the borders.

    OpenCV's filter is three times faster here than the same sum of numpy slices.
    """
    kernel = SECOND_DIFFERENCE if axis == 1 else SECOND_DIFFERENCE.T
    out = cv2.filter2D(np.asarray(y, np.float32), -1, kernel, borderType=cv2.BORDER_CONSTANT)
    np.abs(out, out=out)
    edges = [slice(None), slice(None)]
    edges[axis] = [0, -1]
    out[tuple(edges)] = 0.0
    return out


def blockiness_profiles(y: np.ndarray, dx: int, dy: int, parts: list[Partition]) -> np.ndarray:
    """Per partition, the blockiness of every column phase and row phase of the block grid.

    Entry ``[p, 0, k]`` is the mean |horizontal second difference| centred on the columns
    ``k`` pixels after the grid's block starts, ``[p, 1, k]`` the same vertically, each
    divided by its mean over the 8 phases (1.0 everywhere = no 8-periodic structure).
    A JPEG shows up at phases 0 and 7 (both sides of its block boundaries); a JPEG
    that was cropped and compressed again keeps a second bump where its first grid lay,
    which the last grid's DCT histograms cannot see.

    Args:
        y: (H, W) float32 level-shifted luma.
        dx, dy: the detected grid.
        parts: partitions on that grid.

    Returns:
        (P, 2, 8) float32; ones for partitions without texture.
    """
    if not parts or parts[0].size == 0:
        return np.ones((len(parts), 2, BLOCK), np.float32)
    y = np.asarray(y, np.float32)
    profiles = []
    for axis in (1, 0):
        per_block = block_view(_abs_second_difference(y, axis), dx, dy).sum(axis=-2 if axis == 1 else -1)
        # each phase of a block sums 8 differences, all valid but on the image's first/last column (row)
        extent = y.shape[axis]
        valid = np.full(extent, float(BLOCK), np.float32)
        valid[[0, -1]] = 0.0
        start = dx if axis == 1 else dy
        count = per_block.shape[axis]
        weights = valid[start:start + count * BLOCK].reshape(count, BLOCK)
        weights = np.broadcast_to(weights[None] if axis == 1 else weights[:, None], per_block.shape)
        profiles.append(_partition_means(per_block, weights, parts, dx, dy))
    profile = np.stack(profiles, axis=1)
    mean = profile.mean(axis=-1, keepdims=True)
    return np.where(mean > 1e-6, profile / np.maximum(mean, 1e-6), 1.0).astype(np.float32)


def dct_histograms(coefficients: np.ndarray) -> np.ndarray:
    """Per-frequency histograms of rounded DCT coefficients in -60..60.

    Args:
        coefficients: (N, 8, 8) block DCT coefficients of one partition, or
            (P, N, 8, 8) for P partitions of N blocks each.

    Returns:
        (64, 121) float32 for one partition, or (P, 64, 121) for P partitions: row ``f``
        (natural order) holds the fraction of blocks whose rounded coefficient ``f``
        equals ``-60 + bin``. Values outside -60..60 are not counted, so rows sum to <= 1.
    """
    c = np.asarray(coefficients)
    single = c.ndim != 4
    c = c.reshape(1, -1, 64) if single else c.reshape(c.shape[0], -1, 64)
    p, n, _ = c.shape
    index = np.rint(c).astype(np.int32)
    index += HISTOGRAM_RANGE
    outside = (index < 0) | (index >= HISTOGRAM_BINS)
    index += (np.arange(p, dtype=np.int32)[:, None, None] * 64 + np.arange(64, dtype=np.int32)) * HISTOGRAM_BINS
    index[outside] = p * 64 * HISTOGRAM_BINS           # one spare bin for the values out of range
    counts = np.bincount(index.ravel(), minlength=p * 64 * HISTOGRAM_BINS + 1)[:-1]
    hist = (counts.reshape(p, 64, HISTOGRAM_BINS) / max(n, 1)).astype(np.float32)
    return hist[0] if single else hist


def coefficient_histograms(coefficients: np.ndarray, frequencies: np.ndarray) -> np.ndarray:
    """Image-level histograms of rounded DCT coefficients in -60..60 for a few frequencies.

    Args:
        coefficients: (..., 8, 8) block DCT coefficients.
        frequencies: (F,) natural-order frequency indices (0..63).

    Returns:
        (F, 121) int64 counts; bin ``k`` counts coefficients equal to ``-60 + k`` after rounding.
    """
    values = np.rint(np.asarray(coefficients).reshape(-1, 64)[:, frequencies]).astype(np.int64) + HISTOGRAM_RANGE
    inside = (values >= 0) & (values < HISTOGRAM_BINS)
    index = values + np.arange(len(frequencies))[None, :] * HISTOGRAM_BINS
    return np.bincount(index[inside], minlength=len(frequencies) * HISTOGRAM_BINS).reshape(-1, HISTOGRAM_BINS)


def partition_blocks(coefficients: np.ndarray, parts: list[Partition], dx: int, dy: int) -> np.ndarray:
    """Gather the blocks of each partition from a block-DCT grid.

    Args:
        coefficients: (Bh, Bw, 8, 8) block DCT on the grid ``(dx, dy)`` (see :func:`block_dct`).
        parts: partitions on that grid, all of one size (see :func:`partitions`).

    Returns:
        (P, n, 8, 8) with ``n = (size // 8) ** 2`` blocks per partition, raster order inside.
    """
    if not parts:
        return np.zeros((0, 0, BLOCK, BLOCK), dtype=coefficients.dtype)
    nb = parts[0].size // BLOCK
    rows = np.array([(p.top - dy) // BLOCK for p in parts])[:, None] + np.arange(nb)[None, :]
    cols = np.array([(p.left - dx) // BLOCK for p in parts])[:, None] + np.arange(nb)[None, :]
    picked = coefficients[rows[:, :, None], cols[:, None, :]]
    return picked.reshape(len(parts), nb * nb, BLOCK, BLOCK)
