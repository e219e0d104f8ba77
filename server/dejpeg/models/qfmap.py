"""QF-map network: per 8x8 block on the detected grid, the QF of the last compression and
a compressed flag, from the block features of :func:`dejpeg.qfmap.block_features`.

A fully convolutional network at block resolution (one cell = one block): a 1x1
projection, seven 3x3 convolutions with dilations 1-2-4-8-4-2-1 (receptive field 45
blocks = 360 px, residual), and three 1x1 heads. After the fourth convolution, the mean of
the features over the whole image (global context: what the image's dominant history looks
like, whatever its size) is projected and added to every cell, so that a cell can tell
whether its own history differs from the rest. About 69 k parameters at the default width of
32 channels (274 k at 64); the maps of a 12 MP photo (375x500 cells) cost about 25 GFLOP per
32-channel network (four times as much at 64), far below a pixel-resolution CNN. Served in
bfloat16 where the CPU computes it natively (:func:`dejpeg.models.inference_precision`):
about half the float32 time here, with the same validation scores.

The shipped model is an ensemble (:data:`MEMBERS`): networks trained apart (other inputs,
collages or widths), whose block maps are averaged.

The model is built and TensorFlow imported only when first needed (see :func:`shared_model`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..qfmap import CHANNELS, TABLE_CUES
from . import import_keras, inference_precision

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
QUALITY_SCALE = 100.0
WIDTH = 32
"""Channels of every hidden layer, unless a member sets its own."""
DILATIONS = (1, 2, 4, 8, 4, 2, 1)
CONTEXT_AFTER = 3
"""Index of the convolution after which the global context joins."""


def build_qfmap(channels: int, width: int = WIDTH, precision: str = "float32"):
    """The Keras network.

    Args:
        channels: K, the number of block features.
        width: channels of every hidden layer.
        precision: the Keras dtype policy of the hidden layers: "float32" (training), or
            :data:`dejpeg.models.BFLOAT16` (bfloat16 arithmetic) to serve;
            the image mean (global context) and the heads compute in float32 either way.

    Input: (N, Bh, Bw, K) float32 block features (any Bh, Bw).
    Outputs: {"quality": (N, Bh, Bw, 1) sigmoid, QF / 100 of the last compression;
    "flag": (N, Bh, Bw, 1) logit of "compressed"; "different": (N, Bh, Bw, 1) logit of
    "this block's history differs from the image's dominant one"}.
    """
    keras = import_keras()
    layers = keras.layers
    hidden = {"dtype": precision}

    features = keras.Input((None, None, channels), name="features")
    x = layers.Conv2D(width, 1, activation="relu", **hidden)(features)
    for index, dilation in enumerate(DILATIONS):
        y = layers.Conv2D(width, 3, dilation_rate=dilation, padding="same", activation="relu", **hidden)(x)
        x = layers.Add(**hidden)([x, y])
        if index == CONTEXT_AFTER:
            context = layers.GlobalAveragePooling2D(keepdims=True)(x)                 # (N, 1, 1, width)
            context = layers.Dense(width, activation="relu")(context)
            x = layers.Add(**hidden)([x, layers.Dense(width)(context)])               # broadcast to every cell
    x = layers.Conv2D(width, 1, activation="relu", **hidden)(x)
    outputs = {"quality": layers.Conv2D(1, 1, activation="sigmoid", name="quality")(x),
               "flag": layers.Conv2D(1, 1, name="flag")(x),
               "different": layers.Conv2D(1, 1, name="different")(x)}
    return keras.Model(features, outputs, name="qfmap")


@dataclass(frozen=True)
class Member:
    """One network of the ensemble.

    Attributes:
        name: its weights are ``weights/<name>.weights.h5``; ai-research/train_qfmap.py
            trains it in ``<cache>/qfmap/<name>/``.
        channels: indices of the block features (:func:`dejpeg.qfmap.block_features`) it reads.
        seed: its training seed.
        collages: the training collages it learns from (ai-research/data/collages.py
            ``--split``: "train", or "wide" / "wider" for those of every non-validation photo
            of clean-photo recipe version 5 / 6).
        width: channels of its hidden layers.
    """

    name: str
    channels: tuple[int, ...]
    seed: int
    collages: str = "train"
    width: int = WIDTH

    @property
    def weights(self) -> Path:
        return WEIGHTS_DIR / f"{self.name}.weights.h5"


ALL_CHANNELS = tuple(range(CHANNELS))
WITHOUT_TABLE_CUES = tuple(k for k in ALL_CHANNELS if not TABLE_CUES.start <= k < TABLE_CUES.stop)
MEMBERS = (Member("qfmap-wider64", WITHOUT_TABLE_CUES, 0, "wider", width=64),
           Member("qfmap-wider-tables64", ALL_CHANNELS, 0, "wider", width=64))
"""The shipped ensemble, two networks 64 channels wide trained on the collages of every
non-validation photo: one reads the channels of the first network, ``qfmap``, trained before the
two-table cues existed, the other all of them (the model card, qfmap.md, has how each was
trained and what else was tried)."""


class QfMapNetwork:
    """One loaded network; :meth:`predict` maps its block features to block maps."""

    def __init__(self, member: Member):
        import_keras()
        import tensorflow as tf

        self.channels = None if member.channels == ALL_CHANNELS else np.array(member.channels)
        self.model = build_qfmap(len(member.channels), member.width, inference_precision())
        self.model.load_weights(member.weights)
        self._call = tf.function(lambda x: self.model(x, training=False), reduce_retracing=True)

    def predict(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Block maps from (Bh, Bw, CHANNELS) float32 features (it reads its own channels).

        Returns:
            quality (Bh, Bw) float32 in 0..100 (QF of the last compression, meaningful
            where compressed), probability (Bh, Bw) float32 in 0..1 of "compressed", and
            different (Bh, Bw) float32 in 0..1, P(the block's history differs from the
            image's dominant one).
        """
        own = features if self.channels is None else features[..., self.channels]     # no copy for all
        out = self._call(np.asarray(own, np.float32)[None])
        quality = np.asarray(out["quality"])[0, ..., 0] * QUALITY_SCALE
        probability, different = (1.0 / (1.0 + np.exp(-np.asarray(out[key])[0, ..., 0]))
                                  for key in ("flag", "different"))
        return quality.astype(np.float32), probability.astype(np.float32), different.astype(np.float32)


class QfMapEnsemble:
    """Loaded networks; :meth:`predict` averages their block maps."""

    def __init__(self, networks: list[QfMapNetwork]):
        self.networks = networks

    def predict(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The mean of the members' :meth:`QfMapNetwork.predict` (same shapes and ranges)."""
        maps = [network.predict(features) for network in self.networks]
        return tuple(np.mean(each, axis=0, dtype=np.float32) for each in zip(*maps))


def installed() -> bool:
    """True when every member's weights ship."""
    return all(member.weights.is_file() for member in MEMBERS)


@lru_cache(maxsize=1)
def shared_model() -> QfMapEnsemble | None:
    """The shipped ensemble, loaded once per process; None when a member's weights are missing."""
    return QfMapEnsemble([QfMapNetwork(member) for member in MEMBERS]) if installed() else None
