"""QF-map network: per 8x8 block on the detected grid, the QF of the last compression and
a compressed flag, from the block features of :func:`dejpeg.qfmap.block_features`.

A fully convolutional network at block resolution (one cell = one block): a 1x1
projection, seven 3x3 convolutions with dilations 1-2-4-8-4-2-1 (receptive field 45
blocks = 360 px, residual), and three 1x1 heads. After the fourth convolution, the mean of
the features over the whole image (global context: what the image's dominant history looks
like, whatever its size) is projected and added to every cell, so that a cell can tell
whether its own history differs from the rest. About 69 k parameters; the maps of a 12 MP
photo (375x500 cells) cost about 25 GFLOP, far below a pixel-resolution CNN.

The model is built and TensorFlow imported only when first needed (see :func:`shared_model`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from . import import_keras

WEIGHTS = Path(__file__).resolve().parent / "weights" / "qfmap.weights.h5"
QUALITY_SCALE = 100.0
WIDTH = 32
DILATIONS = (1, 2, 4, 8, 4, 2, 1)
CONTEXT_AFTER = 3
"""Index of the convolution after which the global context joins."""


def build_qfmap(channels: int):
    """The Keras network.

    Args:
        channels: K, the number of block features.

    Input: (N, Bh, Bw, K) float32 block features (any Bh, Bw).
    Outputs: {"quality": (N, Bh, Bw, 1) sigmoid, QF / 100 of the last compression;
    "flag": (N, Bh, Bw, 1) logit of "compressed"; "different": (N, Bh, Bw, 1) logit of
    "this block's history differs from the image's dominant one"}.
    """
    keras = import_keras()
    layers = keras.layers

    features = keras.Input((None, None, channels), name="features")
    x = layers.Conv2D(WIDTH, 1, activation="relu")(features)
    for index, dilation in enumerate(DILATIONS):
        y = layers.Conv2D(WIDTH, 3, dilation_rate=dilation, padding="same", activation="relu")(x)
        x = layers.Add()([x, y])
        if index == CONTEXT_AFTER:
            context = layers.GlobalAveragePooling2D(keepdims=True)(x)                # (N, 1, 1, WIDTH)
            context = layers.Dense(WIDTH, activation="relu")(context)
            x = x + layers.Dense(WIDTH)(context)                                      # broadcast to every cell
    x = layers.Conv2D(WIDTH, 1, activation="relu")(x)
    outputs = {"quality": layers.Conv2D(1, 1, activation="sigmoid", name="quality")(x),
               "flag": layers.Conv2D(1, 1, name="flag")(x),
               "different": layers.Conv2D(1, 1, name="different")(x)}
    return keras.Model(features, outputs, name="qfmap")


class QfMapModel:
    """A loaded QF-map network; :meth:`predict` maps block features to block maps."""

    def __init__(self, channels: int, weights: Path = WEIGHTS):
        import_keras()
        import tensorflow as tf

        self.model = build_qfmap(channels)
        self.model.load_weights(weights)
        self._call = tf.function(lambda x: self.model(x, training=False), reduce_retracing=True)

    def predict(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Block maps from (Bh, Bw, K) float32 features.

        Returns:
            quality (Bh, Bw) float32 in 0..100 (QF of the last compression, meaningful
            where compressed), probability (Bh, Bw) float32 in 0..1 of "compressed", and
            different (Bh, Bw) float32 in 0..1, P(the block's history differs from the
            image's dominant one).
        """
        out = self._call(np.asarray(features, np.float32)[None])
        quality = np.asarray(out["quality"])[0, ..., 0] * QUALITY_SCALE
        probability, different = (1.0 / (1.0 + np.exp(-np.asarray(out[key])[0, ..., 0]))
                                  for key in ("flag", "different"))
        return quality.astype(np.float32), probability.astype(np.float32), different.astype(np.float32)


@lru_cache(maxsize=1)
def shared_model(channels: int) -> QfMapModel | None:
    """The shipped QF-map network, loaded once per process; None when no weights ship."""
    return QfMapModel(channels) if WEIGHTS.is_file() else None
