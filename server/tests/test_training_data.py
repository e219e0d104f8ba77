"""Rules of the training data (ai-research/data): when a collage's pasted region counts as
"different", and where the restorer's gray samples come from."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "ai-research"))

from data.collages import DIFFERENT, SAME, UNDECIDABLE, distinction  # noqa: E402
from data.jpeg_history import Compression, History  # noqa: E402
from data.restorer_data import PatchSampler  # noqa: E402


def once(quality: int, encoder: str = "pillow") -> History:
    return History([Compression(quality, encoder, "4:2:0")])


NEVER = History([])


@pytest.mark.parametrize("background, region, offset, expected", [
    (NEVER, once(50), (0, 0), DIFFERENT),
    (once(50), NEVER, (0, 0), DIFFERENT),
    (NEVER, NEVER, (3, 5), SAME),
    (once(50), once(50), (0, 0), SAME),
    (once(50), once(70), (0, 0), DIFFERENT),
    (once(50), once(53), (0, 0), UNDECIDABLE),                    # closer than INDISTINCT_GAP
    (once(50), once(50, "opencv"), (0, 0), UNDECIDABLE),          # same table, another encoder
    (once(50), once(50), (3, 0), DIFFERENT),                      # same QF on a shifted grid
    (once(50), once(50), (8, 0), SAME),                           # a whole block away: the same grid
    (once(50), History([Compression(30, "pillow", "4:2:0"), Compression(50, "pillow", "4:2:0")]), (0, 0),
     UNDECIDABLE),                                                # an earlier compression under the same last one
    (History([Compression(30, "pillow", "4:2:0"), Compression(50, "pillow", "4:2:0")], (2, 3)), once(50), (2, 3),
     UNDECIDABLE),                                                # shifted double background, region on its last grid
])
def test_distinction_of_a_pasted_region(background, region, offset, expected):
    assert distinction(background, region, offset) == expected


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
