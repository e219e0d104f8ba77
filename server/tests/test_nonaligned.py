"""dejpeg.nonaligned: the first grid of a JPEG that was shifted and compressed again."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from dejpeg import analyze
from dejpeg.classical import detect_grid
from dejpeg.features import luma
from dejpeg.nonaligned import QUALITIES, first_grid, quality_coherence
from dejpeg.pipeline import with_double_evidence


def _roundtrip(pixels: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())))


def _evidence(pixels: np.ndarray):
    y = luma(pixels)
    return first_grid(y, detect_grid(y))


@pytest.mark.parametrize("q1, q2, rows, cols", [(50, 90, 3, 5), (60, 85, 2, 1), (70, 95, 5, 2)])
def test_finds_the_shifted_first_grid_and_its_quality(photo, q1, q2, rows, cols):
    twice = _roundtrip(_roundtrip(photo, q1)[rows:, cols:], q2)
    evidence = _evidence(twice)
    assert evidence.probability > 0.99
    assert (evidence.dx, evidence.dy) == ((8 - cols) % 8, (8 - rows) % 8)
    assert abs(evidence.quality - q1) <= 2


@pytest.mark.parametrize("q1", [50, 60, 70])
def test_the_lowest_first_lattices_survive_a_second_compression_only_10_finer(photo, q1):
    twice = _roundtrip(_roundtrip(photo, q1)[3:, 5:], q1 + 10)
    evidence = _evidence(twice)
    assert evidence.probability > 0.9 and evidence.low_asymmetry > 2 * evidence.asymmetry
    assert (evidence.dx, evidence.dy) == (3, 5)


@pytest.mark.parametrize("history", ["never", "single", "aligned double"])
def test_no_first_grid_without_a_shifted_earlier_compression(photo, history):
    pixels = {"never": lambda: photo, "single": lambda: _roundtrip(photo, 60),
              "aligned double": lambda: _roundtrip(_roundtrip(photo, 50), 90)}[history]()
    assert _evidence(pixels).probability < 0.1


def test_coherence_shape_range_and_tiny_images(photo):
    *coherences, blocks = quality_coherence(luma(photo[:64, :80]))
    for coherence in coherences:                                        # 15 frequencies, the lowest 3
        assert coherence.shape == (8, 8, len(QUALITIES))
        assert np.all((coherence >= 0) & (coherence <= 1))
    assert blocks == 7 * 9                                              # full blocks at every phase
    assert _evidence(photo[:10, :10]).probability == 0.0


def test_a_first_grid_moves_single_mass_to_double_only():
    moved = with_double_evidence({"none": 0.1, "single": 0.8, "double": 0.1}, 0.5)
    assert moved == pytest.approx({"none": 0.1, "single": 0.4, "double": 0.5})
    assert with_double_evidence({"none": 0.1, "single": 0.8, "double": 0.1}, 0.0)["single"] == 0.8


def test_analyze_calls_a_shifted_recompression_double(photo):
    twice = _roundtrip(_roundtrip(photo, 50)[3:, 5:], 90)
    buffer = io.BytesIO()
    Image.fromarray(twice).save(buffer, "PNG")
    report = analyze(buffer.getvalue())
    assert report.compression.verdict == "double"
    assert report.evidence["first_grid"]["probability"] > 0.99
    assert abs(report.quality.primary_estimate - 50) <= 2
    assert abs(report.quality.estimate - 90) <= 2
