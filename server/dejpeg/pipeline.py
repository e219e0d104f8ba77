"""analyze(): bytes or a path in, a :class:`~dejpeg.report.Report` out.

The stages are plain function calls on plain values: load (decode once) -> luma, block
grid and block DCT (computed once) -> classical estimators and the learned detector ->
report. Nothing here knows which face (Python, CLI, HTTP)
called it.
"""

from __future__ import annotations

import base64
import io
import os
import time
from contextlib import contextmanager
from dataclasses import asdict
from typing import Iterator, Union

import numpy as np
from PIL import Image
from threadpoolctl import threadpool_limits

from .classical import ClassicalResult, analyze_blocks, grid_blocks
from .features import BLOCK, HISTOGRAM_RANGE, ZIGZAG, coefficient_histograms, luma
from .load import DEFAULT_LIMITS, Limits, LoadedImage, load_image, load_path
from .models.detector import Detection, partition_features, shared_detector
from .nonaligned import NonAlignedEvidence, first_grid
from .qfmap import REFINE_EVIDENCE, QfMaps, estimate_maps, last_table_quality
from .requantization import RequantizationEvidence, requantization
from .report import Compression, Grid, Quality, Report

Source = Union[bytes, bytearray, memoryview, str, os.PathLike, LoadedImage]

CLASSICAL_METHOD = "classical:quantization-steps"
CLASSICAL_QUALITY_METHOD = "classical:quantization-steps+inverse-ijg-scaling"
LEARNED_METHOD = "learned:dct-histogram-cnn+classical"
LATTICE_QUALITY_METHOD = "classical:ijg-lattice-likelihood"
CLASSICAL_EVIDENCE_RANGE = (0.01, 0.99)
"""The classical P(compressed) enters the fusion clipped to this range, so that neither
estimator can veto the other outright."""
EXACT_FIT = 0.05
"""Classical QF fit error (log2 units) below which the estimated table is an IJG table."""


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    """Add the wall time of the block, in ms, to ``timings[stage]``."""
    start = time.perf_counter()
    yield
    timings[stage] = round(timings.get(stage, 0.0) + (time.perf_counter() - start) * 1000.0, 2)


def load(source: Source, name: str | None = None, limits: Limits = DEFAULT_LIMITS) -> LoadedImage:
    """Decode ``source`` (bytes, a path, or an already loaded image) once."""
    if isinstance(source, LoadedImage):
        return source
    if isinstance(source, (bytes, bytearray, memoryview)):
        return load_image(source, name or "", limits)
    image = load_path(source, limits)
    if name is not None:
        image.name = name
    return image


HISTOGRAM_FREQUENCIES = ZIGZAG[1:7]
"""The six lowest AC frequencies (natural order), whose histograms the report carries."""


def _histogram_evidence(coefficients: np.ndarray, steps: np.ndarray) -> dict:
    """DCT-coefficient histograms on the detected grid, for the page's charts.

    A quantized frequency shows a comb (counts only at multiples of its step); a smooth
    one, a bell.
    """
    counts = coefficient_histograms(coefficients, HISTOGRAM_FREQUENCIES)
    return {"bins": [-HISTOGRAM_RANGE, HISTOGRAM_RANGE],
            "frequencies": [{"index": int(f), "u": int(f) // 8, "v": int(f) % 8, "step": int(steps[f]),
                             "counts": row.tolist()} for f, row in zip(HISTOGRAM_FREQUENCIES, counts)]}


def _evidence(result: ClassicalResult) -> dict:
    """Classical estimator values for the report's ``evidence`` (natural-order lists)."""
    steps = result.steps
    return {
        "blocks": result.blocks,
        "grid_contrast": result.grid.contrast,
        "dct_variance_test": {
            "variance": result.variance_test.variance,
            "quantized": result.variance_test.quantized,
            "threshold": result.variance_test.threshold,
            "mean_abs_zigzag": result.variance_test.mean_abs_zigzag,
        },
        "quantization_steps": {
            "luma": steps.steps.tolist(),
            "score": [round(float(s), 3) for s in steps.score],
            "support": steps.support.tolist(),
            "determined": int(steps.determined.sum()),
        },
        "step_quality": {
            "quality": result.step_quality.quality,
            "fit_error": result.step_quality.fit_error,
            "frequencies": result.step_quality.frequencies,
        },
    }


def _classical_probabilities(result: ClassicalResult) -> dict[str, float]:
    p = result.probability_compressed
    return {"none": round(1.0 - p, 4), "single": round(p, 4), "double": 0.0}


def fuse(probabilities: dict[str, float], p_compressed: float) -> dict[str, float]:
    """Combine the detector's class probabilities with the classical P(compressed).

    The two look at different traces (the learned one at histogram shapes, the classical
    one at the grid and the quantization lattice), so they are combined as independent
    evidence with equal priors: none by ``1 - p``, single and double by ``p``.

    Args:
        probabilities: {"none", "single", "double"} from the detector.
        p_compressed: classical probability, clipped to CLASSICAL_EVIDENCE_RANGE.

    Returns:
        Normalised {"none", "single", "double"}.
    """
    p = min(max(p_compressed, CLASSICAL_EVIDENCE_RANGE[0]), CLASSICAL_EVIDENCE_RANGE[1])
    raw = {"none": probabilities["none"] * (1 - p), "single": probabilities["single"] * p,
           "double": probabilities["double"] * p}
    total = sum(raw.values())
    return {k: round(v / total, 4) for k, v in raw.items()}


def with_double_evidence(probabilities: dict[str, float], p_double: float) -> dict[str, float]:
    """Add classical evidence of a second compression (:mod:`dejpeg.nonaligned`,
    :mod:`dejpeg.requantization`).

    Such a trace proves a second compression, while its absence proves nothing (each test
    sees only its own kind of double), so the evidence only moves mass from "single" to
    "double" (a noisy OR): ``double += single * p``.
    """
    moved = probabilities["single"] * p_double
    return {"none": probabilities["none"], "single": round(probabilities["single"] - moved, 4),
            "double": round(probabilities["double"] + moved, 4)}


def decide(probabilities: dict[str, float]) -> str:
    """The verdict, in two steps as an analyst asks: compressed at all (P(single) + P(double)
    against P(none))? If so, once or twice?"""
    if probabilities["none"] >= probabilities["single"] + probabilities["double"]:
        return "none"
    return "double" if probabilities["double"] > probabilities["single"] else "single"


def _last_quality(result: ClassicalResult, detection: Detection | None, lattice: tuple[int, float] | None,
                  primary: float | None = None) -> tuple[float | None, str]:
    """QF of the last compression and its method: the IJG quality on whose table's lattice
    the coefficients sit, when they do (``lattice`` from :func:`dejpeg.qfmap.last_table_quality`,
    evidence at least ``REFINE_EVIDENCE``; exact, also for the last QF of a double JPEG,
    where the estimated table mixes both compressions' steps) and it lies above the
    ``primary`` QF of a double verdict (a double is only seen when the last QF is the finer;
    a last QF of 90-95 barely moves the first table's lattice, which then wins); else the
    classical fit when the estimated table is an exact IJG table; else the network's (or the
    classical fit without one)."""
    if lattice is not None and lattice[1] >= REFINE_EVIDENCE and (primary is None or lattice[0] > primary):
        return float(lattice[0]), LATTICE_QUALITY_METHOD
    fit = result.step_quality
    exact = fit.quality is not None and fit.frequencies >= 3 and fit.fit_error <= EXACT_FIT
    if exact or detection is None:
        return fit.quality, CLASSICAL_QUALITY_METHOD
    return detection.quality, LEARNED_METHOD


def _verdict(probabilities: dict[str, float], method: str, result: ClassicalResult,
             detection: Detection | None, doubles: tuple[NonAlignedEvidence, RequantizationEvidence],
             lattice: tuple[int, float] | None) -> tuple[Compression, Quality]:
    """Verdict and qualities from the final class probabilities.

    The primary QF comes from whichever classical double test fired (first grid, then
    requantization), else from the network.
    """
    verdict = decide(probabilities)
    compression = Compression(verdict, probabilities[verdict], probabilities, method)
    if verdict == "none":
        return compression, Quality(None, None, CLASSICAL_QUALITY_METHOD if detection is None else method)
    primary = _primary_quality(doubles, detection) if verdict == "double" else None
    estimate, quality_method = _last_quality(result, detection, lattice, primary)
    return compression, Quality(estimate, primary, quality_method)


def _primary_quality(doubles: tuple[NonAlignedEvidence, RequantizationEvidence],
                     detection: Detection | None) -> float | None:
    """QF of the first compression: from the classical test that found it, else the network's."""
    first, requantized = doubles
    if first.probability >= 0.5:
        return float(first.quality)
    if requantized.probability >= 0.5 and requantized.primary_quality is not None:
        return float(requantized.primary_quality)
    return detection.primary if detection is not None else None


def maps_json(maps: QfMaps) -> dict:
    """The report's ``maps``: QF, flag and different-region maps per block, as PNG data URLs.

    All three are constant over each 8x8 block of the detected grid, so one pixel per block
    says it all: cell (r, c) covers pixels ``dy + 8r .. dy + 8r + 7`` by ``dx + 8c ..``;
    the partial blocks at the edges (pixels before ``dx``/``dy`` included) take the value of
    their neighbouring cell. Each is (rows, columns) = (ceil((H - dy) / 8),
    ceil((W - dx) / 8)) 8-bit grey: ``quality_png`` value = QF 1..100 of the last
    compression, 0 = not compressed; ``flag_png`` 255 where compressed, else 0;
    ``different_png`` 255 inside the ``regions`` (history differs from the dominant one),
    else 0 (the page traces its outline).
    """
    grid = maps.grid
    cells = (slice(grid.dy, None, BLOCK), slice(grid.dx, None, BLOCK))
    quality = maps.quality[cells]
    blocks = maps.block_different                        # complete blocks; the edge cells repeat their neighbours
    different = np.pad(blocks, [(0, n - b) for n, b in zip(quality.shape, blocks.shape)], mode="edge") \
        if blocks.size else np.zeros(quality.shape, bool)
    return {"cell": BLOCK, "dx": grid.dx, "dy": grid.dy, "rows": int(quality.shape[0]),
            "columns": int(quality.shape[1]), "quality_png": png_data_url(quality),
            "flag_png": png_data_url(maps.flag[cells].astype(np.uint8) * 255),
            "different_png": png_data_url(different.astype(np.uint8) * 255),
            "regions": maps.regions, "dominant": maps.dominant}


def png_data_url(gray: np.ndarray) -> str:
    """``data:image/png;base64,...`` of an (H, W) uint8 array."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(gray, np.uint8), "L").save(buffer, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def analyze(source: Source, name: str | None = None, limits: Limits = DEFAULT_LIMITS,
            maps: bool = False) -> Report:
    """Analyse one image's compression history.

    Args:
        source: file bytes, a filesystem path, or a :class:`LoadedImage`.
        name: name to report (defaults to the path's name, or "" for bytes).
        limits: upload limits (bytes, pixels).
        maps: also estimate the per-pixel QF and compression-flag maps and the regions whose
            history differs (:mod:`dejpeg.qfmap`; about 2.5 s more on a 12 MP photo): the
            report's ``maps`` and ``pixel_maps``.

    Returns:
        The report; ``compression``/``quality`` come from the pixels (the learned detector
        when its weights ship, else the classical estimators), ``jpeg`` from the header.

    Raises:
        InputError: for anything that is not a decodable image within the limits.

    NumPy's BLAS runs single-threaded inside: every product here is small (8x8 DCT bases,
    histogram kernels), and BLAS threads spin against each other and against other work on
    a shared CPU (measured: first-grid search 0.36 s on one thread, 1.2 s on two).
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return _analyze(source, name, limits, maps)


def _analyze(source: Source, name: str | None, limits: Limits, maps: bool) -> Report:
    timings: dict[str, float] = {}
    start = time.perf_counter()
    with _timed(timings, "load"):
        image = load(source, name, limits)
    with _timed(timings, "features"):
        y = luma(image.pixels)
        grid, coefficients = grid_blocks(y)
    with _timed(timings, "classical"):
        result = analyze_blocks(grid, coefficients)
        lattice = last_table_quality(coefficients.reshape(-1, 64))
    with _timed(timings, "first_grid"):
        first = first_grid(y, grid)
    evidence = _evidence(result)
    evidence["histograms"] = _histogram_evidence(coefficients, result.steps.steps)
    evidence["first_grid"] = first.to_json()
    detector = shared_detector()
    detection = None
    if detector is not None:
        with _timed(timings, "detector"):
            detection = detector.detect(partition_features(y, coefficients, grid))
        evidence["partitions"] = detection.partitions
    with _timed(timings, "requantization"):      # seeded as calibrated: table fit or network, not the lattice
        requantized = requantization(coefficients, _last_quality(result, detection, None)[0])
    evidence["requantization"] = requantized.to_json()

    def with_doubles(probabilities: dict[str, float]) -> dict[str, float]:
        return with_double_evidence(with_double_evidence(probabilities, first.probability),
                                    requantized.probability)

    doubles = (first, requantized)
    compression, quality = _verdict(with_doubles(_classical_probabilities(result)), CLASSICAL_METHOD,
                                    result, None, doubles, lattice)
    evidence["classical"] = {"compression": asdict(compression), "quality": asdict(quality)}
    if detection is not None:
        probabilities = with_doubles(fuse(detection.probabilities, result.probability_compressed))
        compression, quality = _verdict(probabilities, LEARNED_METHOD, result, detection, doubles, lattice)
    pixel_maps = None
    if maps:
        with _timed(timings, "maps"):
            pixel_maps = estimate_maps(y, grid, coefficients)
    timings["total"] = round((time.perf_counter() - start) * 1000.0, 2)
    return Report(
        source=image.to_json(),
        jpeg=image.jpeg.to_json() if image.jpeg is not None else None,
        grid=Grid(grid.dx, grid.dy, grid.confidence),
        compression=compression,
        quality=quality,
        evidence=evidence,
        timings_ms=timings,
        maps=maps_json(pixel_maps) if pixel_maps is not None else None,
        pixel_maps=pixel_maps,
    )
