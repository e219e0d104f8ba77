"""Classical estimators on real Pillow / OpenCV encodings of a synthetic photo."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from dejpeg.classical import (StepEstimate, analyze_pixels, detect_grid, dct_variance_test, estimate_steps,
                              quality_from_steps)
from dejpeg.features import block_dct, luma
from dejpeg.jpegfacts import STD_LUMA, ijg_table


def decode(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


@pytest.mark.parametrize("quality", [10, 25, 50, 75, 90])
@pytest.mark.parametrize("crop", [(0, 0), (3, 5), (7, 1)])
def test_grid_of_a_cropped_jpeg(photo, encode, quality, crop):
    rows, cols = crop
    pixels = decode(encode(photo, quality=quality))[rows:, cols:]
    grid = detect_grid(luma(pixels))
    assert (grid.dx, grid.dy) == ((8 - cols) % 8, (8 - rows) % 8)
    assert grid.confidence > 0.9


def test_grid_confidence_is_low_without_compression(photo):
    assert detect_grid(luma(photo)).confidence < 0.5


@pytest.mark.parametrize("quality", [10, 20, 35, 50, 65, 80, 90, 95])
def test_quality_and_verdict_from_pixels_pillow(photo, encode, quality):
    result = analyze_pixels(luma(decode(encode(photo, quality=quality, subsampling=2))))
    assert result.compressed
    assert result.step_quality.quality == pytest.approx(quality, abs=2)


@pytest.mark.parametrize("quality", [15, 60, 85])
def test_quality_from_pixels_opencv_444(photo, quality):
    ok, data = cv2.imencode(".jpg", np.ascontiguousarray(photo[..., ::-1]),
                            [cv2.IMWRITE_JPEG_QUALITY, quality,
                             cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444])
    assert ok
    result = analyze_pixels(luma(decode(data.tobytes())))
    assert result.compressed
    assert result.step_quality.quality == pytest.approx(quality, abs=2)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_never_compressed_pixels_are_not_called_compressed(make_photo, seed):
    result = analyze_pixels(luma(make_photo(256, 320, seed)))
    assert not result.compressed
    assert result.steps.determined.sum() <= 1


def test_steps_match_the_table_where_determined(photo, encode):
    result = analyze_pixels(luma(decode(encode(photo.mean(axis=2).astype(np.uint8), quality=50))))
    table = ijg_table(50, STD_LUMA)
    found = result.steps.determined
    assert found.sum() >= 20
    assert np.mean(result.steps.steps[found] == table[found]) >= 0.9


def test_non_standard_table_is_read_from_pixels(photo, encode):
    table = np.full(64, 12)
    table[0] = 20
    pixels = decode(encode(photo, qtables=[table.tolist(), table.tolist()], subsampling=0))
    steps = estimate_steps(block_dct(luma(pixels)))
    assert steps.steps[0] == 20
    assert np.mean(steps.steps[steps.determined][1:] == 12) >= 0.9


def test_quality_fit_tolerates_divisors_and_an_outlier():
    table = ijg_table(30, STD_LUMA).astype(np.int64)
    steps = np.zeros(64, dtype=np.int64)
    steps[:12] = table[:12]
    steps[3] = table[3] // 2 if table[3] % 2 == 0 else table[3]   # a divisor
    steps[7] = 3                                                  # an outlier
    estimate = StepEstimate(steps, np.ones(64, np.float32), np.full(64, 100))
    assert quality_from_steps(estimate).quality == 30
    assert quality_from_steps(StepEstimate(np.zeros(64, np.int64), np.zeros(64), np.zeros(64))).quality is None


def test_dct_variance_test_separates_quantized_from_clean(photo, encode):
    clean = dct_variance_test(block_dct(luma(photo)))
    quantized = dct_variance_test(block_dct(luma(decode(encode(photo, quality=30)))))
    assert quantized.quantized
    assert quantized.variance < clean.variance
    assert len(clean.mean_abs_zigzag) == 64


def test_tiny_images_do_not_break():
    result = analyze_pixels(luma(np.full((5, 7, 3), 128, np.uint8)))
    assert not result.compressed and result.step_quality.quality is None
