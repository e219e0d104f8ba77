"""The learned detector's input pipeline and network (the shipped weights, when present)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from dejpeg.classical import GridEstimate
from dejpeg.features import block_dct, luma
from dejpeg.models.detector import (CLASSES, FOLDED_BINS, WEIGHTS, build_detector, image_features,
                                    partition_features, prepare, shared_detector)


def decoded(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def test_prepare_folds_signs_and_compresses_range():
    h = np.zeros((1, 64, 121), np.float32)
    h[0, 5, 60 + 7] = 0.25   # +7
    h[0, 5, 60 - 7] = 0.25   # -7
    h[0, 5, 60] = 0.5        # 0
    profiles = np.ones((1, 2, 8), np.float32)
    profiles[0, 1, 3] = np.e
    x = prepare(h, profiles)
    assert x["histograms"].shape == (1, 64, FOLDED_BINS, 1)
    assert x["histograms"][0, 5, 7, 0] == pytest.approx(np.log1p(500) / np.log1p(1000))
    assert x["histograms"][0, 5, 0, 0] == pytest.approx(np.log1p(500) / np.log1p(1000))
    assert x["histograms"].max() <= 1.0 and x["histograms"][0, 4].max() == 0.0
    assert x["profiles"].shape == (1, 16) and x["profiles"][0, 11] == pytest.approx(1.0)


def test_features_cover_the_image_on_its_grid(photo, encode):
    grid, features = image_features(decoded(encode(photo, quality=40))[3:, 5:])
    assert (grid.dx, grid.dy) == (3, 5)
    assert features.histograms.shape == (len(features.partitions), 64, 121)
    assert features.profiles.shape == (len(features.partitions), 2, 8)
    assert all(p.size == 256 for p in features.partitions)


def test_images_without_a_block_still_get_one_input():
    y = luma(np.zeros((5, 5), np.uint8))
    features = partition_features(y, block_dct(y), GridEstimate(0, 0, 0.0, 0.0))
    assert len(features.partitions) == 1 and features.histograms.shape == (1, 64, 121)
    assert not features.histograms.any() and np.all(features.profiles == 1)


def test_network_shapes_and_size():
    model = build_detector()
    assert model.count_params() < 1_000_000
    out = model(prepare(np.zeros((2, 64, 121), np.float32), np.ones((2, 2, 8), np.float32)), training=False)
    assert out["class"].shape == (2, len(CLASSES))
    assert out["quality"].shape == (2, 1) and out["primary"].shape == (2, 1)


@pytest.mark.skipif(not WEIGHTS.is_file(), reason="detector weights not trained yet")
def test_shipped_detector_sees_a_low_quality_jpeg(photo, encode):
    _, features = image_features(decoded(encode(photo, quality=20)))
    detection = shared_detector().detect(features)
    assert detection.verdict != "none"
    assert detection.quality == pytest.approx(20, abs=5)
    _, clean = image_features(np.ascontiguousarray(photo))
    assert shared_detector().detect(clean).verdict == "none"
