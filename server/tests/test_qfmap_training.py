"""QF-map training (ai-research/train_qfmap.py): each ensemble member's batches hold the
block features it reads, the same seed gives the same batches, and no member learns from
collages of the validation photos."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "ai-research"))

from data.clean_photos import SPLITS  # noqa: E402
from data.collages import SPLIT_SEEDS, photo_splits  # noqa: E402
from train_qfmap import Shards, batches  # noqa: E402
from dejpeg.models.qfmap import ALL_CHANNELS, MEMBERS, WITHOUT_TABLE_CUES  # noqa: E402
from dejpeg.qfmap import CHANNELS, TABLE_CUES  # noqa: E402


def shards_of(samples: int) -> Shards:
    rng = np.random.default_rng(0)
    data = Shards("train")
    data.features = rng.normal(size=(samples, 40, 40, CHANNELS)).astype(np.float16)
    data.quality = rng.integers(0, 100, (samples, 40, 40)).astype(np.uint8)
    return data


def test_a_member_gets_its_own_channels_of_the_same_batches():
    data = shards_of(6)
    every = list(batches(data, ALL_CHANNELS, 3, 2, seed=5))
    without = list(batches(data, WITHOUT_TABLE_CUES, 3, 2, seed=5))
    kept = np.ones(CHANNELS, bool)
    kept[TABLE_CUES] = False
    for (x_all, t_all), (x_without, t_without) in zip(every, without):
        assert x_all.shape == (2, 40, 40, CHANNELS) and x_without.shape == (2, 40, 40, CHANNELS - 3)
        np.testing.assert_array_equal(x_without, x_all[..., kept])
        np.testing.assert_array_equal(t_without["quality"], t_all["quality"])
    again = list(batches(data, ALL_CHANNELS, 3, 2, seed=5))
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(every, again))
    other = next(batches(data, ALL_CHANNELS, 1, 2, seed=6))
    assert not np.array_equal(other[0], every[0][0])


def test_members_learn_from_every_photo_but_the_validation_ones():
    assert set(photo_splits("wider")) == set(SPLITS) - {"val"}
    assert set(photo_splits("wide")) == set(SPLITS) - {"val", "added", "added-gray"}
    assert photo_splits("train") == ("train",)
    for member in MEMBERS:
        assert member.collages in SPLIT_SEEDS and "val" not in photo_splits(member.collages)
