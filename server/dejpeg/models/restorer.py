"""Learned JPEG restorer: a small residual U-Net conditioned on the quality factor.

Input: RGB in 0..1 (gray images go in as three equal channels) and the JPEG quality
factor (QF) of the last compression. Output: the restored RGB in 0..1, same size.

Layout (``widths = (w1, w2, w3)``, default (32, 64, 128)):

- ``space_to_depth(2)``: (H, W, 3) -> (H/2, W/2, 12), so that the whole network runs at
  half resolution or less (4x fewer positions; one 2x2 cell holds a quarter of an 8x8
  JPEG block's row and column phase, which the network still sees exactly);
- encoder: level 1 at H/2 (w1), level 2 at H/4 (w2), level 3 at H/8 (w3, two convs and a
  residual block, plus any added by the :class:`Layout`), strided 3x3 convs down;
- decoder: 1x1 conv + nearest upsampling, *added* to the encoder skip (cheaper than
  concatenation), a 3x3 conv per level (at H/4, plus the layout's added residual blocks);
- every level's features are modulated by the QF (FiLM: ``x * (1 + gamma(q)) + beta(q)``,
  gamma and beta from a two-layer MLP of q = QF / 100), so one network covers QF 5..95;
- a 3x3 conv to 12 channels (zero-initialised: training starts from the identity),
  ``depth_to_space(2)``, added to the input (residual).

The spatial size must be a multiple of :data:`MULTIPLE` (16); :mod:`dejpeg.restore` pads.
No batch normalisation, no dropout: training and inference compute the same function, in
float32 for training and in bfloat16 to serve where the CPU computes it natively
(:func:`dejpeg.models.inference_precision`; the residual sum stays float32).
TensorFlow is imported only when a network is built, so analysis-only paths stay light.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import import_keras, inference_precision

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
MULTIPLE = 16
DEFAULT_WIDTHS = (32, 64, 128)
EMBEDDING = 64
DEEPER = "deeper_block_"


@lru_cache(maxsize=1)
def _layers():
    """The custom Keras layers (built on first use: importing them imports TensorFlow)."""
    keras = import_keras()
    import tensorflow as tf

    class SpaceToDepth(keras.layers.Layer):
        """(N, H, W, C) -> (N, H/2, W/2, 4C)."""

        def call(self, x):
            return tf.nn.space_to_depth(x, 2)

    class DepthToSpace(keras.layers.Layer):
        """(N, H/2, W/2, 4C) -> (N, H, W, C)."""

        def call(self, x):
            return tf.nn.depth_to_space(x, 2)

    class FiLM(keras.layers.Layer):
        """Feature-wise modulation ``x * (1 + gamma) + beta``; gamma, beta = Dense(embedding).

        Inputs: x (N, H, W, C) and embedding (N, E). Starts as the identity (zero kernel).
        """

        def __init__(self, channels: int, **kwargs):
            super().__init__(**kwargs)
            self.dense = keras.layers.Dense(2 * channels, kernel_initializer="zeros", dtype=self.dtype_policy)

        def call(self, x, embedding):
            gamma, beta = tf.split(self.dense(embedding)[:, None, None, :], 2, axis=-1)
            return x * (1.0 + gamma) + beta

    return SpaceToDepth, DepthToSpace, FiLM


@dataclass(frozen=True)
class Layout:
    """Where a restorer has residual blocks beyond its base network's: ``blocks`` at H/8 (the
    base has one) and ``quarter_blocks`` at H/4, in the decoder after the skip is merged. Every
    added block starts as the identity (its last conv is zero-initialised; its layers are
    named ``DEEPER...``), so that a deeper network can start from the base network's weights
    (:func:`deepened`)."""

    blocks: int = 1
    quarter_blocks: int = 0


BASE = Layout()


def build_restorer(widths: tuple[int, int, int] = DEFAULT_WIDTHS, layout: Layout = BASE, precision: str = "float32"):
    """The Keras restorer (690,636 parameters with the default widths and layout).

    ``precision``: the Keras dtype policy of the hidden layers: "float32" (training), or
    :data:`dejpeg.models.BFLOAT16` (bfloat16 arithmetic, float32 weights) to serve. The output
    convolution and the residual sum stay float32 either way, so the bfloat16 rounding never
    touches the input image that the residual is added to.

    ``layout``: the added residual blocks (:class:`Layout`); each H/8 block adds 295,168
    parameters with the default widths, each H/4 block 73,856 (and four times the H/8 block's
    computation per parameter).

    Inputs: {"image": (N, H, W, 3) float32 RGB in 0..1 (H, W multiples of 16),
    "quality": (N, 1) float32 QF / 100}. Output: (N, H, W, 3) float32, unclipped.
    """
    keras = import_keras()
    layers = keras.layers

    SpaceToDepth, DepthToSpace, FiLM = _layers()
    w1, w2, w3 = widths

    hidden = {"dtype": precision}

    def conv(x, filters, stride=1, activation="relu", kernel=3):
        return layers.Conv2D(filters, kernel, strides=stride, padding="same", activation=activation, **hidden)(x)

    def added_block(x, filters, name):
        """x + conv(relu(conv(x))), the identity at initialisation."""
        inner = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"{name}a", **hidden)(x)
        outer = layers.Conv2D(filters, 3, padding="same", kernel_initializer="zeros", name=f"{name}b", **hidden)(inner)
        return layers.Add(**hidden)([x, outer])

    image = keras.Input((None, None, 3), name="image")
    quality = keras.Input((1,), name="quality")
    embedding = layers.Dense(EMBEDDING, activation="relu", **hidden)(quality)
    embedding = layers.Dense(EMBEDDING, activation="relu", **hidden)(embedding)

    x = SpaceToDepth(**hidden)(image)
    e1 = FiLM(w1, **hidden)(conv(conv(x, w1), w1), embedding)                       # H/2
    e2 = FiLM(w2, **hidden)(conv(conv(e1, w2, stride=2), w2), embedding)            # H/4
    e3 = conv(conv(e2, w3, stride=2), w3)                                           # H/8
    e3 = layers.Add(**hidden)([e3, conv(conv(e3, w3), w3, activation=None)])
    for k in range(1, layout.blocks):
        e3 = added_block(e3, w3, f"{DEEPER}{k}")
    e3 = FiLM(w3, **hidden)(layers.ReLU(**hidden)(e3), embedding)
    d2 = layers.UpSampling2D(2, **hidden)(conv(e3, w2, activation=None, kernel=1))
    d2 = conv(layers.Add(**hidden)([d2, e2]), w2)                                   # H/4
    for k in range(layout.quarter_blocks):
        d2 = added_block(d2, w2, f"{DEEPER}quarter_{k}")
    d2 = FiLM(w2, **hidden)(d2, embedding)
    d1 = layers.UpSampling2D(2, **hidden)(conv(d2, w1, activation=None, kernel=1))
    d1 = FiLM(w1, **hidden)(conv(layers.Add(**hidden)([d1, e1]), w1), embedding)    # H/2
    residual = DepthToSpace()(layers.Conv2D(12, 3, padding="same", kernel_initializer="zeros")(d1))
    output = layers.Add(name="restored")([image, residual])
    return keras.Model({"image": image, "quality": quality}, output, name="restorer")


def deepened(network, layout: Layout, widths: tuple[int, int, int] = DEFAULT_WIDTHS):
    """A restorer with the added blocks of ``layout`` that computes what the base ``network``
    (of these widths) computes: its weights, and identity blocks where it has none."""
    deeper = build_restorer(widths, layout)
    source = [layer for layer in network.layers if layer.weights]
    target = [layer for layer in deeper.layers if layer.weights and not layer.name.startswith(DEEPER)]
    for a, b in zip(source, target, strict=True):
        b.set_weights(a.get_weights())
    return deeper


@dataclass(frozen=True)
class ModelInfo:
    """A shipped restorer: its name, weights file and model card (Markdown); ``gray_weights``,
    when that file ships, are a network specialised for gray images (used for them), of
    layout ``gray_layout`` (:func:`build_restorer`)."""

    name: str
    weights: Path
    card: Path
    widths: tuple[int, int, int] = DEFAULT_WIDTHS
    gray_weights: Path | None = None
    gray_layout: Layout = BASE

    @property
    def available(self) -> bool:
        return self.weights.is_file()

    @property
    def gray_available(self) -> bool:
        return self.gray_weights is not None and self.gray_weights.is_file()

    def card_text(self) -> str:
        return self.card.read_text(encoding="utf-8") if self.card.is_file() else ""


MODELS = {
    "restore-psnr": ModelInfo("restore-psnr", WEIGHTS_DIR / "restorer-psnr.weights.h5",
                              WEIGHTS_DIR.parent / "restorer-psnr.md",
                              gray_weights=WEIGHTS_DIR / "restorer-psnr-gray-deeper.weights.h5",
                              gray_layout=Layout(quarter_blocks=4)),
    "restore-gan": ModelInfo("restore-gan", WEIGHTS_DIR / "restorer-gan.weights.h5",
                             WEIGHTS_DIR.parent / "restorer-gan.md"),
}
DEFAULT_MODEL = "restore-psnr"


class Restorer:
    """A loaded restorer network; :meth:`run` restores a batch of padded tiles."""

    def __init__(self, info: ModelInfo, weights: Path, layout: Layout = BASE):
        import_keras()
        import tensorflow as tf

        self.info = info
        self.model = build_restorer(info.widths, layout, inference_precision())
        self.model.load_weights(weights)
        self._call = tf.function(
            lambda image, quality: self.model({"image": image, "quality": quality}, training=False),
            input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32), tf.TensorSpec([None, 1], tf.float32)])

    def run(self, tiles: np.ndarray, quality: float) -> np.ndarray:
        """Restore tiles.

        Args:
            tiles: (N, H, W, 3) float32 RGB in 0..1, H and W multiples of 16.
            quality: JPEG QF of the last compression, 1..100.

        Returns:
            (N, H, W, 3) float32 in 0..1.
        """
        q = np.full((len(tiles), 1), quality / 100.0, np.float32)
        return np.clip(self._call(tiles, q).numpy(), 0.0, 1.0)


@lru_cache(maxsize=2 * len(MODELS))
def shared_restorer(name: str, gray: bool = False) -> Restorer:
    """The shipped restorer ``name``, loaded once per process (KeyError / FileNotFoundError);
    with ``gray``, its gray specialist when that ships (else the same network as for colour)."""
    info = MODELS[name]
    if not info.available:
        raise FileNotFoundError(f"weights of {name} are not shipped yet: {info.weights}")
    if gray and info.gray_available:
        return Restorer(info, info.gray_weights, info.gray_layout)
    return shared_restorer(name) if gray else Restorer(info, info.weights)
