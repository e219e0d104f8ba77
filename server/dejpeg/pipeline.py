"""analyze(): bytes or a path in, a :class:`~dejpeg.report.Report` out.

The stages are plain function calls on plain values: load (decode once) -> luma, block
grid and block DCT (computed once) -> classical estimators and the learned detector ->
report. Nothing here knows which face (Python, CLI, HTTP)
called it.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import asdict
from typing import Iterator, Union

import numpy as np
from threadpoolctl import threadpool_limits

from .classical import ClassicalResult, analyze_blocks, grid_blocks
from .features import HISTOGRAM_RANGE, ZIGZAG, coefficient_histograms, luma
from .load import DEFAULT_LIMITS, Limits, LoadedImage, load_image, load_path
from .models.detector import Detection, partition_features, shared_detector
from .nonaligned import NonAlignedEvidence, first_grid
from .report import Compression, Grid, Quality, Report

Source = Union[bytes, bytearray, memoryview, str, os.PathLike, LoadedImage]

CLASSICAL_METHOD = "classical:quantization-steps"
CLASSICAL_QUALITY_METHOD = "classical:quantization-steps+inverse-ijg-scaling"
LEARNED_METHOD = "learned:dct-histogram-cnn+classical"
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


def with_first_grid(probabilities: dict[str, float], p_first_grid: float) -> dict[str, float]:
    """Add the evidence of an earlier JPEG on a shifted grid (:mod:`dejpeg.nonaligned`).

    A shifted first grid proves a second compression, while its absence proves nothing
    (aligned doubles have none), so the evidence only moves mass from "single" to
    "double" (a noisy OR): ``double += single * p``.
    """
    moved = probabilities["single"] * p_first_grid
    return {"none": probabilities["none"], "single": round(probabilities["single"] - moved, 4),
            "double": round(probabilities["double"] + moved, 4)}


def _verdict(probabilities: dict[str, float], method: str, result: ClassicalResult,
             detection: Detection | None, first: NonAlignedEvidence) -> tuple[Compression, Quality]:
    """Verdict and qualities from the final class probabilities.

    The QF of the last compression comes from the quantization lattice when the estimated
    table is an exact IJG table (it then is exact), else from the network (or the
    classical fit without one). The primary QF comes from the first grid when one was
    found, else from the network.
    """
    verdict = max(probabilities, key=probabilities.get)
    compression = Compression(verdict, probabilities[verdict], probabilities, method)
    if verdict == "none":
        return compression, Quality(None, None, CLASSICAL_QUALITY_METHOD if detection is None else method)
    fit = result.step_quality
    exact = fit.quality is not None and fit.frequencies >= 3 and fit.fit_error <= EXACT_FIT
    primary = None
    if verdict == "double":
        primary = float(first.quality) if first.probability >= 0.5 else \
            detection.primary if detection is not None else None
    if exact or detection is None:
        return compression, Quality(fit.quality, primary, CLASSICAL_QUALITY_METHOD)
    return compression, Quality(detection.quality, primary, LEARNED_METHOD)


def analyze(source: Source, name: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Report:
    """Analyse one image's compression history.

    Args:
        source: file bytes, a filesystem path, or a :class:`LoadedImage`.
        name: name to report (defaults to the path's name, or "" for bytes).
        limits: upload limits (bytes, pixels).

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
        return _analyze(source, name, limits)


def _analyze(source: Source, name: str | None, limits: Limits) -> Report:
    timings: dict[str, float] = {}
    start = time.perf_counter()
    with _timed(timings, "load"):
        image = load(source, name, limits)
    with _timed(timings, "features"):
        y = luma(image.pixels)
        grid, coefficients = grid_blocks(y)
    with _timed(timings, "classical"):
        result = analyze_blocks(grid, coefficients)
    with _timed(timings, "first_grid"):
        first = first_grid(y, grid)
    evidence = _evidence(result)
    evidence["histograms"] = _histogram_evidence(coefficients, result.steps.steps)
    evidence["first_grid"] = first.to_json()
    compression, quality = _verdict(with_first_grid(_classical_probabilities(result), first.probability),
                                    CLASSICAL_METHOD, result, None, first)
    evidence["classical"] = {"compression": asdict(compression), "quality": asdict(quality)}
    detector = shared_detector()
    if detector is not None:
        with _timed(timings, "detector"):
            detection = detector.detect(partition_features(y, coefficients, grid))
        evidence["partitions"] = detection.partitions
        probabilities = with_first_grid(fuse(detection.probabilities, result.probability_compressed),
                                        first.probability)
        compression, quality = _verdict(probabilities, LEARNED_METHOD, result, detection, first)
    timings["total"] = round((time.perf_counter() - start) * 1000.0, 2)
    return Report(
        source=image.to_json(),
        jpeg=image.jpeg.to_json() if image.jpeg is not None else None,
        grid=Grid(grid.dx, grid.dy, grid.confidence),
        compression=compression,
        quality=quality,
        evidence=evidence,
        timings_ms=timings,
    )
