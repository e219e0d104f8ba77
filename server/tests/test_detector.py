"""The learned detector's input pipeline and network (the shipped weights, when present)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from dejpeg.classical import GridEstimate
from dejpeg.features import block_dct, luma
from dejpeg.models.detector import (CLASSES, FOLDED_BINS, WEIGHTS, build_detector, image_features,
                                    partition_histograms, prepare, shared_detector)


def test_prepare_folds_signs_and_compresses_range():
    h = np.zeros((1, 64, 121), np.float32)
    h[0, 5, 60 + 7] = 0.25   # +7
    h[0, 5, 60 - 7] = 0.25   # -7
    h[0, 5, 60] = 0.5        # 0
    x = prepare(h)
    assert x.shape == (1, 64, FOLDED_BINS, 1)
    assert x[0, 5, 7, 0] == pytest.approx(np.log1p(500) / np.log1p(1000))
    assert x[0, 5, 0, 0] == pytest.approx(np.log1p(500) / np.log1p(1000))
    assert x.max() <= 1.0 and x[0, 4].max() == 0.0


def test_features_cover_the_image_on_its_grid(photo, encode):
    pixels = np.asarray(Image.open(io.BytesIO(encode(photo, quality=40))).convert("RGB"))[3:, 5:]
    features = image_features(pixels)
    assert (features.grid.dx, features.grid.dy) == (3, 5)
    assert features.histograms.shape == (len(features.partitions), 64, 121)
    assert all(p.size == 256 for p in features.partitions)


def test_images_without_a_block_still_get_one_input():
    y = luma(np.zeros((5, 5), np.uint8))
    parts, hist = partition_histograms(block_dct(y), 5, 5, GridEstimate(0, 0, 0.0, 0.0))
    assert len(parts) == 1 and hist.shape == (1, 64, 121) and not hist.any()


def test_network_shapes_and_size():
    model = build_detector()
    assert model.count_params() < 1_000_000
    out = model(prepare(np.zeros((2, 64, 121), np.float32)), training=False)
    assert out["class"].shape == (2, len(CLASSES))
    assert out["quality"].shape == (2, 1) and out["primary"].shape == (2, 1)


@pytest.mark.skipif(not WEIGHTS.is_file(), reason="detector weights not trained yet")
def test_shipped_detector_sees_a_low_quality_jpeg(photo, encode):
    pixels = np.asarray(Image.open(io.BytesIO(encode(photo, quality=20))).convert("RGB"))
    features = image_features(pixels)
    detection = shared_detector().detect(features.partitions, features.histograms)
    assert detection.verdict != "none"
    assert detection.quality == pytest.approx(20, abs=5)
    clean = image_features(np.ascontiguousarray(photo))
    assert shared_detector().detect(clean.partitions, clean.histograms).verdict == "none"
