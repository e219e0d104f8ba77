"""The restorer's training and evaluation tools (ai-research): what the NoGAN critic looks at, and
the fine-texture measure of the restorer report."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "ai-research"))

from evaluate_restorer import detail  # noqa: E402
from train_restorer import build_critic  # noqa: E402


def test_the_critic_judges_texture_not_brightness(make_photo):
    photo = make_photo(64, 64, seed=5)[None].astype(np.float32) / 255.0 * 0.8
    critic = build_critic()
    plain = np.asarray(critic(photo))
    assert plain.shape == (1, 8, 8, 1)
    np.testing.assert_allclose(np.asarray(critic(photo + 0.15)), plain, atol=1e-4)
    smooth = cv2.GaussianBlur(photo[0], (5, 5), 1.5)[None]
    assert np.abs(np.asarray(critic(smooth)) - plain).mean() > 1e-3


def test_detail_counts_texture_inside_the_blocks_only(make_photo):
    clean = make_photo(96, 128, seed=2)
    assert detail(clean, clean) == 1.0
    assert detail(clean, cv2.GaussianBlur(clean, (5, 5), 1.2)) < 0.7
    steps = np.kron(np.arange(12 * 16).reshape(12, 16) % 5, np.ones((8, 8)))[..., None]   # one level per block
    blocky = np.clip(clean.astype(np.float64) + 4 * steps, 0, 255)
    assert abs(detail(clean, blocky) - 1.0) < 0.01                 # block edges are not detail
    gray = clean[..., 0]
    assert detail(gray, gray) == 1.0
