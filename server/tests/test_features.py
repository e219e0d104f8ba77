"""Pixel features: zig-zag order, JPEG DCT, partitions and DCT histograms."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

from dejpeg.features import (HISTOGRAM_BINS, ZIGZAG, block_dct, dct_histograms, luma, partition_blocks,
                             partitions)
from dejpeg.jpegfacts import STD_LUMA, ijg_table


def decoded(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)))


def test_zigzag_is_the_jpeg_scan():
    assert ZIGZAG[:16].tolist() == [0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5]
    assert sorted(ZIGZAG.tolist()) == list(range(64))
    assert ZIGZAG[-1] == 63 and ZIGZAG[-2] == 62 and ZIGZAG[-3] == 55


def test_luma_is_bt601_full_range_level_shifted():
    rgb = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]]], dtype=np.uint8)
    np.testing.assert_allclose(luma(rgb)[0], [0.299 * 255 - 128, 0.587 * 255 - 128, 0.114 * 255 - 128, 127],
                               atol=1e-3)
    assert luma(np.full((2, 2), 200, np.uint8)).tolist() == [[72.0, 72.0], [72.0, 72.0]]


def test_block_dct_agrees_with_opencv_and_respects_the_grid():
    rng = np.random.default_rng(0)
    y = rng.uniform(-128, 127, (21, 30)).astype(np.float32)
    c = block_dct(y, dx=3, dy=5)
    assert c.shape == (2, 3, 8, 8)
    np.testing.assert_allclose(c[1, 2], cv2.dct(np.ascontiguousarray(y[13:21, 19:27])), atol=1e-3)


def test_decoded_jpeg_coefficients_sit_on_the_quantization_lattice(make_photo, encode):
    gray = make_photo(128, 128, 3).mean(axis=2).astype(np.uint8)
    c = block_dct(luma(decoded(encode(gray, quality=50))))
    table = ijg_table(50, STD_LUMA).reshape(8, 8)
    distance = np.abs(c / table - np.round(c / table)) * table
    assert np.median(distance) < 0.5


def test_partitions_tile_every_complete_block_on_the_grid():
    parts = partitions(300, 520, dx=3, dy=5)
    assert {(p.top, p.left) for p in parts} == {(5, 3), (5, 259), (37, 3), (37, 259)}
    assert all((p.top - 5) % 8 == 0 and (p.left - 3) % 8 == 0 and p.size == 256 for p in parts)
    small = partitions(100, 60, 0, 0)
    assert [p.size for p in small] == [56, 56] and small[-1].top + 56 == 96
    assert partitions(7, 100, 0, 0) == []


def test_histograms_count_rounded_coefficients_per_frequency():
    rng = np.random.default_rng(1)
    y = rng.normal(0, 20, (300, 520)).astype(np.float32)
    parts = partitions(*y.shape, dx=3, dy=5)
    blocks = partition_blocks(block_dct(y, 3, 5), parts, 3, 5)
    hist = dct_histograms(blocks)
    assert hist.shape == (4, 64, HISTOGRAM_BINS)
    f = 9  # natural index (1, 1)
    values = np.rint(blocks[2, :, 1, 1])
    expected = np.histogram(values, bins=np.arange(-60.5, 61.5))[0] / blocks.shape[1]
    np.testing.assert_allclose(hist[2, f], expected, atol=1e-6)
    assert np.all(hist.sum(axis=-1) <= 1.0 + 1e-6)
    np.testing.assert_allclose(dct_histograms(blocks[0]), hist[0])


def test_blockiness_profiles_show_the_grid_and_a_shifted_earlier_grid(photo, encode):
    from dejpeg.features import blockiness_profiles

    def jpeg(pixels, quality):
        return decoded(encode(np.ascontiguousarray(pixels), quality=quality))

    clean = luma(photo)
    parts = partitions(*clean.shape, 0, 0)
    flat = blockiness_profiles(clean, 0, 0, parts)
    assert flat.shape == (len(parts), 2, 8)
    np.testing.assert_allclose(flat.mean(axis=0), 1.0, atol=0.1)

    single = blockiness_profiles(luma(jpeg(photo, 30)), 0, 0, parts).mean(axis=0)
    assert np.all(single[:, [0, 7]].mean(axis=-1) > single[:, 1:7].mean(axis=-1) + 0.2)

    # compressed at QF 30, cropped by (3 rows, 5 cols), compressed at QF 90 on the new grid:
    # the first grid's block starts now sit at column phase 3 and row phase 5
    double = luma(jpeg(jpeg(photo, 30)[3:, 5:], 90))
    profile = blockiness_profiles(double, 0, 0, partitions(*double.shape, 0, 0)).mean(axis=0)
    assert profile[0, 2:4].mean() > np.median(profile[0, 1:7]) + 0.03
    assert profile[1, 4:6].mean() > np.median(profile[1, 1:7]) + 0.03


def test_coefficient_histograms_count_rounded_values_in_range():
    from dejpeg.features import coefficient_histograms
    c = np.zeros((2, 3, 8, 8), np.float32)
    c[..., 0, 1] = [[-0.4, 2.6, 61.0], [59.6, 3.2, -60.2]]
    counts = coefficient_histograms(c, np.array([1, 2]))
    assert counts.shape == (2, 121)
    assert counts[0, 60] == 1 and counts[0, 63] == 2 and counts[0, 120] == 1 and counts[0, 0] == 1
    assert counts[0].sum() == 5                      # 61 is out of range
    assert counts[1, 60] == 6                        # frequency 2 is all zeros
