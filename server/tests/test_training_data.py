"""Rules of the training data (ai-research/data): where the restorer's gray samples come from, which
reduced copies count as clean."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "ai-research"))

from data.clean_photos import fine_copy  # noqa: E402
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
