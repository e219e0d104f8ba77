"""Rules of the training data (ai-research/data): where the restorer's gray samples come from, which
reduced copies count as clean."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "ai-research"))

from data.clean_photos import fine_copy, process, split_of  # noqa: E402
from data.restorer_data import PatchSampler  # noqa: E402


def test_luma_only_photos_give_gray_samples_only(make_photo):
    colour = np.array(make_photo(200, 200, seed=3))
    luma = np.repeat(colour.mean(axis=2, keepdims=True).astype(np.uint8), 3, axis=2)
    sampler = PatchSampler([colour], seed=0, gray=0.0, gray_photos=[luma], gray_only=0.5)
    gray = []
    for index in range(4):
        degraded, clean, _ = sampler.batch(index)
        gray += [bool(np.all(c[..., 0] == c[..., 1]) and np.all(c[..., 1] == c[..., 2])) for c in clean]
        assert all(np.all(d[..., 0] == d[..., 2]) == g for d, g in zip(degraded, gray[-len(clean):]))
    assert 0.25 < np.mean(gray) < 0.75                  # about half from the luma-only photo, none made gray
    plain = PatchSampler([colour], seed=0, gray=0.0)
    assert not any(np.all(c[..., 0] == c[..., 2]) for index in range(2) for c in plain.batch(index)[1])


def test_fine_copies_keep_only_trace_free_reductions(make_photo, encode):
    clean = np.array(make_photo(384, 512, seed=4))
    for quality, kept in ((50, False), (100, True)):
        jpeg = Image.open(io.BytesIO(encode(clean, quality=quality, subsampling=0)))
        record, copy = fine_copy(np.asarray(jpeg.convert("RGB")), np.asarray(jpeg.quantization[0]), None)
        assert record["kept"] == kept and (copy is not None) == kept
        assert record["size"] == [511 // 2, 383 // 2]
    assert copy.shape == (191, 255, 3) and copy.dtype == np.uint8


def test_png_sources_are_measured_against_the_table_their_pixels_show(make_photo, encode):
    jpeg = Image.open(io.BytesIO(encode(np.array(make_photo(384, 512, seed=5)), quality=50, subsampling=0)))
    png = encode(np.asarray(jpeg.convert("RGB")), "PNG")
    entry, _, fine = process({"key": "lxqt_test", "package": "lxqt-themes", "file": "test.png",
                              "license": "CC-BY-SA-3.0", "data": png})
    steps, table = np.array(entry["estimated_steps"]), np.asarray(jpeg.quantization[0])
    found = steps > 0
    assert entry["jpeg_quality"] is None and found.sum() >= 20
    assert np.mean(steps[found] == table[found]) > 0.9       # most steps read back from the pixels
    assert entry["dct_periodicity_before"] > 0.3 and fine is None   # only train photos get fine copies
    if entry["kept"]:
        assert split_of(entry) == ("added-gray" if entry.get("luma_only") else "added")


def test_transparent_sources_are_dropped(make_photo, encode):
    rgba = np.dstack([make_photo(64, 64, seed=6), np.full((64, 64), 255, np.uint8)])
    rgba[0, 0, 3] = 0
    entry, clean, _ = process({"key": "lxqt_alpha", "package": "lxqt-themes", "file": "alpha.png",
                               "license": "CC-BY-SA-3.0", "data": encode(rgba, "PNG")})
    assert not entry["kept"] and entry["reason"] == "transparent pixels" and clean is None
