"""dejpeg.requantization: the empty bins left by an aligned, coarser earlier compression."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from dejpeg.classical import grid_blocks
from dejpeg.features import luma
from dejpeg.requantization import MAX_K, UNTESTABLE, occupancy, requantization


def _roundtrip(pixels: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())))


def _evidence(pixels: np.ndarray, last_quality: float):
    return requantization(grid_blocks(luma(pixels))[1], last_quality)


def test_occupancy_empties_the_bins_no_multiple_reaches():
    m = occupancy(np.array([[14.0, 10.0]]), np.array([10.0, 8.0]))[0]
    assert m.shape == (2, MAX_K + 1)
    # 14 j / 10 = 1.4, 2.8, 4.2, 5.6, 7.0 -> k = 1, 3, 4, 6, 7: k = 2 and 5 stay empty
    assert m[0, 2] < 0.1 and m[0, 5] < 0.1 and min(m[0, 1], m[0, 3], m[0, 4]) > 1.0
    # 10 j / 8 = 1.25, 2.5, 3.75, 5: the tie at 2.5 shares one value between k = 2 and 3
    assert m[1, 2] == pytest.approx(m[1, 3], abs=0.05) and m[1, 2] < 0.8 and m[1, 1] > 1.0
    assert m[:, 1:60].mean(axis=1) == pytest.approx([1.0, 1.0], abs=0.05)


def test_no_trace_when_the_first_step_is_not_coarser():
    assert np.all(occupancy(np.array([[8.0, 5.0]]), np.array([8.0, 6.0])) == 1.0)


@pytest.mark.parametrize("q1, q2", [(50, 70), (60, 90), (70, 85)])
def test_an_aligned_coarser_first_compression_empties_bins(photo, q1, q2):
    evidence = _evidence(_roundtrip(_roundtrip(photo, q1), q2), q2)
    assert evidence.log_likelihood_ratio > 100
    assert evidence.last_quality == q2
    assert abs(evidence.primary_quality - q1) <= 2
    assert evidence.probability > 0.5


@pytest.mark.parametrize("quality", [30, 60, 90])
def test_a_single_compression_fills_every_bin(photo, quality):
    evidence = _evidence(_roundtrip(photo, quality), quality + 2)     # a slightly wrong estimate
    assert evidence.last_quality == quality
    assert evidence.log_likelihood_ratio < 20
    assert evidence.probability < 0.1


def test_untestable_without_an_estimate_or_blocks(photo):
    assert _evidence(photo, None) == UNTESTABLE
    assert requantization(np.zeros((0, 0, 8, 8), np.float32), 50) == UNTESTABLE
