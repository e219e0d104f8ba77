"""Learned compression detector: none / single / double, QF and primary QF, from pixels.

Input, per 256x256 Y partition on the detected block grid: the 64x121 DCT histograms
(dejpeg.features.dct_histograms), which show the last compression's quantization and the
comb left by an aligned earlier one, and the 2x8 blockiness profiles
(dejpeg.features.blockiness_profiles), which show an earlier compression on a shifted
grid. The network folds each histogram to |c| (61 bins), compresses it with
``log1p(1000 h) / log1p(1000)`` and runs convolutions along the bins that share weights
across the 64 frequencies (comb detectors); the log-profiles go through a small dense
branch; dense layers mix both. Three heads per partition: class probabilities, QF of the
last compression, QF of the first compression (meaningful for "double").

Image level: class probabilities are averaged over partitions; QFs are averaged with
weights p(compressed) and p(double). Every partition is used, in raster order, so the
same image gives the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import import_keras
from ..classical import GridEstimate, grid_blocks
from ..features import (HISTOGRAM_RANGE, Partition, blockiness_profiles, dct_histograms, luma, partition_blocks,
                        partitions)

CLASSES = ("none", "single", "double")
WEIGHTS = Path(__file__).resolve().parent / "weights" / "detector.weights.h5"
FOLDED_BINS = HISTOGRAM_RANGE + 1
QUALITY_SCALE = 100.0
DOUBLE_PRIOR = 0.1
"""Factor on each partition's P(double) before renormalising: a prior correction from the
training mix (40% doubles, many of them invisible) to one where double compression is
rarer. Chosen on the validation photos (not benchmarks): single partitions called double
fall from 8.7% to 1.2%, aligned doubles with QF1 50..80 < QF2 keep their recall (83%, 35
partitions), all doubles drop from 48% to 41%."""


@dataclass
class PartitionFeatures:
    """The detector's input for one image.

    Attributes:
        partitions: grid-aligned squares, raster order (one empty square for an image
            without a complete block, so that every image gets a prediction).
        histograms: (P, 64, 121) float32 DCT histograms, one per partition.
        profiles: (P, 2, 8) float32 blockiness profiles, one per partition.
    """

    partitions: list[Partition]
    histograms: np.ndarray
    profiles: np.ndarray


def partition_features(y: np.ndarray, coefficients: np.ndarray, grid: GridEstimate) -> PartitionFeatures:
    """Histograms and blockiness profiles of every partition.

    Args:
        y: (H, W) float32 level-shifted luma.
        coefficients: (Bh, Bw, 8, 8) block DCT of ``y`` on ``grid``.
    """
    parts = partitions(*y.shape, grid.dx, grid.dy)
    if not parts:
        return PartitionFeatures([Partition(0, 0, 0)], np.zeros((1, 64, 2 * HISTOGRAM_RANGE + 1), np.float32),
                                 np.ones((1, 2, 8), np.float32))
    return PartitionFeatures(parts, dct_histograms(partition_blocks(coefficients, parts, grid.dx, grid.dy)),
                             blockiness_profiles(y, grid.dx, grid.dy, parts))


def image_features(pixels: np.ndarray) -> tuple[GridEstimate, PartitionFeatures]:
    """Detect the grid and compute the partition features of (H, W[, 3]) uint8 pixels."""
    y = luma(pixels)
    grid, coefficients = grid_blocks(y)
    return grid, partition_features(y, coefficients, grid)


def prepare(histograms: np.ndarray, profiles: np.ndarray) -> dict[str, np.ndarray]:
    """Network inputs from (N, 64, 121) histograms and (N, 2, 8) profiles.

    Returns:
        {"histograms": (N, 64, 61, 1) float32 in 0..1, "profiles": (N, 16) float32 log-ratios
        clipped to +-2}. Histograms fold +c and -c together (the sign of a coefficient
        carries no compression trace) and their range is compressed so that the zero bin
        does not drown the comb.
    """
    h = np.asarray(histograms, np.float32)
    folded = h[..., HISTOGRAM_RANGE:].copy()
    folded[..., 1:] += h[..., HISTOGRAM_RANGE - 1::-1]
    ratios = np.asarray(profiles, np.float32).reshape(len(h), -1)
    return {"histograms": (np.log1p(1000.0 * folded) / np.log1p(1000.0))[..., None],
            "profiles": np.clip(np.log(np.maximum(ratios, 1e-3)), -2.0, 2.0)}


def build_detector():
    """The Keras network (about 0.58 M parameters); inputs from :func:`prepare`.

    Outputs: {"class": (N, 3) softmax, "quality": (N, 1) in 0..1 (QF / 100),
    "primary": (N, 1) in 0..1}.
    """
    keras = import_keras()
    layers = keras.layers

    def conv(x, filters, kernel, dilation=1, padding="same"):
        x = layers.Conv2D(filters, (1, kernel), dilation_rate=(1, dilation), padding=padding, use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        return layers.ReLU()(x)

    histograms = keras.Input((64, FOLDED_BINS, 1), name="histograms")
    profiles = keras.Input((16,), name="profiles")
    x = conv(histograms, 16, 3)
    x = conv(x, 16, 3, dilation=2)
    x = layers.MaxPooling2D((1, 2))(x)
    x = conv(x, 32, 3)
    x = conv(x, 32, 3, dilation=2)
    x = layers.MaxPooling2D((1, 2))(x)
    x = conv(x, 32, x.shape[2], padding="valid")      # one embedding per frequency
    x = layers.Flatten()(x)
    p = layers.Dense(32, activation="relu")(profiles)
    x = layers.Concatenate()([x, p])
    x = layers.Dense(256, activation="relu")(x)
    x = layers.Dropout(0.3)(x)
    x = layers.Dense(128, activation="relu")(x)
    outputs = {
        "class": layers.Dense(len(CLASSES), activation="softmax", name="class")(x),
        "quality": layers.Dense(1, activation="sigmoid", name="quality")(x),
        "primary": layers.Dense(1, activation="sigmoid", name="primary")(x),
    }
    return keras.Model({"histograms": histograms, "profiles": profiles}, outputs, name="detector")


@dataclass
class Detection:
    """Detector output for one image.

    Attributes:
        probabilities: {"none", "single", "double"}: image-level class probabilities.
        quality: QF of the last compression (1..100), from partitions weighted by p(compressed).
        primary: QF of the first compression, weighted by p(double).
        partitions: per partition {"top", "left", "size", "probabilities", "quality", "primary"}.
    """

    probabilities: dict[str, float]
    quality: float
    primary: float
    partitions: list[dict]

    @property
    def verdict(self) -> str:
        return max(self.probabilities, key=self.probabilities.get)


class Detector:
    """A loaded detector; build once, call :meth:`detect` for each image."""

    def __init__(self, weights: Path = WEIGHTS):
        self.model = build_detector()
        self.model.load_weights(weights)

    def predict(self, features: PartitionFeatures, batch: int = 256) -> dict[str, np.ndarray]:
        """Per-partition outputs: class (P, 3), quality (P,), primary (P,)."""
        x = prepare(features.histograms, features.profiles)
        out = {"class": [], "quality": [], "primary": []}
        for start in range(0, len(features.partitions), batch):
            result = self.model({k: v[start:start + batch] for k, v in x.items()}, training=False)
            for key in out:
                out[key].append(np.asarray(result[key]))
        return {"class": np.concatenate(out["class"]),
                "quality": np.concatenate(out["quality"])[:, 0] * QUALITY_SCALE,
                "primary": np.concatenate(out["primary"])[:, 0] * QUALITY_SCALE}

    def detect(self, features: PartitionFeatures) -> Detection:
        """Image-level detection from every partition."""
        out = self.predict(features)
        probs = out["class"].astype(np.float64) * np.array([1.0, 1.0, DOUBLE_PRIOR])
        probs /= probs.sum(axis=1, keepdims=True)
        mean = probs.mean(axis=0)
        compressed = probs[:, 1] + probs[:, 2]
        quality = float(np.average(out["quality"], weights=compressed + 1e-6))
        primary = float(np.average(out["primary"], weights=probs[:, 2] + 1e-6))
        per_partition = [
            {"top": p.top, "left": p.left, "size": p.size,
             "probabilities": {c: round(float(v), 4) for c, v in zip(CLASSES, row)},
             "quality": round(float(q), 2), "primary": round(float(q1), 2)}
            for p, row, q, q1 in zip(features.partitions, probs, out["quality"], out["primary"])
        ]
        return Detection({c: round(float(v), 4) for c, v in zip(CLASSES, mean)},
                         round(quality, 2), round(primary, 2), per_partition)


@lru_cache(maxsize=1)
def shared_detector() -> Detector | None:
    """The shipped detector, loaded once per process; None when no weights ship yet."""
    return Detector() if WEIGHTS.is_file() else None
