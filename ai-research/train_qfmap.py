"""Train a network of the QF-map ensemble (dejpeg.models.qfmap.MEMBERS) on the collages of
data/collages.py.

    .venv/bin/python ai-research/train_qfmap.py --member NAME [--epochs 60] [--steps 150] [--batch 16]

The member fixes the block features the network reads and the seed. An epoch is ``--steps``
batches drawn (seeded by the epoch) from every shard of the member's collages
(``Member.collages``: data/collages.py ``--split train``, ``wide`` or ``wider``) that exists
when the epoch starts, so training can start while collages.py still writes shards. Each
batch is flipped at random (cell maps and the matching phase channels).
Losses: QF/100 MAE over the blocks whose target is compressed, binary cross-entropy of
the flag, and binary cross-entropy of "different" (:func:`different_targets`). Learning
rate: cosine from --lr over --epochs.

Resumable: after every epoch the full model (weights + optimizer) goes to
<cache>/qfmap/<member>/checkpoint.keras, the epoch and metrics to checkpoint.json and
train.log there, and the weights to server/dejpeg/models/weights/<member>.weights.h5 (so a
usable network exists at any time); running the command again continues after the last
saved epoch.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import math
import time

import numpy as np

from data.collages import CELLS, DATA, shards
from dejpeg.models.qfmap import MEMBERS, QUALITY_SCALE, Member, build_qfmap
from dejpeg.qfmap import CHANNELS, COLUMN_PHASES, ROW_PHASES

QUALITY_WEIGHT = 4.0
INDISTINCT_GAP = 5
VALIDATION_SAMPLES = 250


class Shards:
    """Training shards held in memory (float16 features), reloaded when new ones appear."""

    def __init__(self, split: str):
        self.split, self.paths = split, []
        self.features = np.zeros((0, CELLS, CELLS, CHANNELS), np.float16)
        self.quality = np.zeros((0, CELLS, CELLS), np.uint8)

    def refresh(self) -> int:
        """Load the shards written since the last call; returns the number of samples."""
        new = [p for p in shards(self.split) if p not in self.paths]
        if new:
            data = [np.load(p) for p in new]
            self.features = np.concatenate([self.features] + [d["features"] for d in data])
            self.quality = np.concatenate([self.quality] + [d["quality"] for d in data])
            self.paths += new
        return len(self.quality)


def different_targets(quality: np.ndarray) -> np.ndarray:
    """Per block, does its history differ from the sample's dominant one?

    The dominant history is the sample's most frequent target QF (the pasted region covers
    at most half the area; 0 = never compressed); a block differs when its QF is another.
    Blocks compressed on both sides with QFs less than :data:`INDISTINCT_GAP` apart get
    weight 0 (no trace tells them apart). A region with the background's own QF on a
    shifted grid has the same target QF and counts as not different (the shards keep
    QFs only).

    Args:
        quality: (N, Bh, Bw) uint8 target QF.

    Returns:
        (N, Bh, Bw, 2) float32 [different in {0, 1}, weight in {0, 1}].
    """
    flat = quality.reshape(len(quality), -1)
    counts = np.apply_along_axis(np.bincount, 1, flat, minlength=256)             # (N, 256), N rows only
    dominant = counts.argmax(axis=1).astype(np.int16)[:, None, None]
    q = quality.astype(np.int16)
    gap = np.abs(q - dominant)
    indistinct = (q > 0) & (dominant > 0) & (gap > 0) & (gap < INDISTINCT_GAP)
    return np.stack([gap > 0, ~indistinct], axis=-1).astype(np.float32)


def targets(quality: np.ndarray) -> dict[str, np.ndarray]:
    """Network targets from (N, Bh, Bw) uint8 QF: quality (N, Bh, Bw, 2) = [QF/100,
    compressed weight], flag (N, Bh, Bw, 1) in {0, 1}, different (N, Bh, Bw, 2)."""
    q = quality.astype(np.float32)
    compressed = (q > 0).astype(np.float32)
    return {"quality": np.stack([q / QUALITY_SCALE, compressed], axis=-1), "flag": compressed[..., None],
            "different": different_targets(quality)}


def flip(features: np.ndarray, quality: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random horizontal / vertical flip of (N, Bh, Bw, K) features and (N, Bh, Bw) targets.

    Mirroring an image mirrors each block's phases (phase k -> 7 - k); the lattice fits do
    not change (a flip only changes coefficient signs).
    """
    features, quality = features.copy(), quality.copy()
    for axis, phases in ((2, COLUMN_PHASES), (1, ROW_PHASES)):
        chosen = rng.random(len(features)) < 0.5
        part = features[chosen]
        part = np.flip(part, axis=axis)
        part[..., phases] = part[..., phases][..., ::-1]
        features[chosen] = part
        quality[chosen] = np.flip(quality[chosen], axis=axis)
    return features, quality


def batches(data: Shards, channels: tuple[int, ...], steps: int, batch: int, seed: int):
    """``steps`` (x, targets) batches of the features ``channels``, drawn with a generator
    seeded by ``seed``."""
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        index = np.sort(rng.choice(len(data.quality), batch, replace=False))
        features, quality = flip(data.features[index].astype(np.float32), data.quality[index], rng)
        yield features[..., channels], targets(quality)


def masked_mae(y_true, y_pred):
    """MAE of QF/100 over the blocks whose target is compressed (y_true[..., 1] = 1)."""
    import keras.ops as ops
    weight = y_true[..., 1:2]
    return ops.sum(weight * ops.abs(y_true[..., :1] - y_pred)) / (ops.sum(weight) + 1e-6)


def flag_loss(y_true, y_pred):
    import keras
    return keras.losses.binary_crossentropy(y_true, y_pred, from_logits=True)


def masked_bce(y_true, y_pred):
    """Binary cross-entropy of logits over the blocks with weight y_true[..., 1] = 1."""
    import keras
    import keras.ops as ops
    weight = y_true[..., 1]
    loss = keras.losses.binary_crossentropy(y_true[..., :1], y_pred, from_logits=True)
    return ops.sum(weight * loss) / (ops.sum(weight) + 1e-6)


def validate(model, features: np.ndarray, quality: np.ndarray) -> dict:
    """Block-level QF MAE (compressed blocks), flag accuracy, mean IoU of "different" over
    the samples with a distinct region and its false area on the others."""
    out = model.predict(features.astype(np.float32), batch_size=25, verbose=0)
    predicted = out["quality"][..., 0] * QUALITY_SCALE
    flag = out["flag"][..., 0] > 0
    compressed = quality > 0
    truth = different_targets(quality)[..., 0] > 0
    different = out["different"][..., 0] > 0
    with_region = truth.mean(axis=(1, 2)) >= 0.05
    iou = (different & truth).sum(axis=(1, 2)) / np.maximum((different | truth).sum(axis=(1, 2)), 1)
    return {"val_quality_mae": round(float(np.mean(np.abs(predicted - quality)[compressed])), 3),
            "val_flag_accuracy": round(float(np.mean(flag == compressed)), 4),
            "val_flag_recall_none": round(float(np.mean(~flag[~compressed])), 4),
            "val_flag_recall_compressed": round(float(np.mean(flag[compressed])), 4),
            "val_different_iou": round(float(iou[with_region].mean()), 4),
            "val_different_false_area": round(float(different[~with_region].mean()), 4)}


def export(model, member: Member) -> None:
    """Weights to server/dejpeg/models/weights/<member>.weights.h5, atomically."""
    member.weights.parent.mkdir(parents=True, exist_ok=True)
    partial = member.weights.with_name(f"{member.name}.partial.weights.h5")
    model.save_weights(partial)
    os.replace(partial, member.weights)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--member", required=True, choices=[m.name for m in MEMBERS])
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import keras
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    member = next(m for m in MEMBERS if m.name == args.member)
    keras.utils.set_random_seed(member.seed)

    folder = DATA / member.name
    folder.mkdir(parents=True, exist_ok=True)
    checkpoint, state, log = folder / "checkpoint.keras", folder / "checkpoint.json", folder / "train.log"
    custom = {"masked_mae": masked_mae, "flag_loss": flag_loss, "masked_bce": masked_bce}
    if checkpoint.is_file():
        model = keras.models.load_model(checkpoint, custom_objects=custom)
        initial_epoch = json.loads(state.read_text())["epoch"]
        print(f"resuming after epoch {initial_epoch}", flush=True)
    else:
        model = build_qfmap(len(member.channels), member.width)
        model.compile(optimizer=keras.optimizers.Adam(args.lr),
                      loss={"quality": masked_mae, "flag": flag_loss, "different": masked_bce},
                      loss_weights={"quality": QUALITY_WEIGHT, "flag": 1.0, "different": 1.0})
        initial_epoch = 0

    val = np.load(shards("val")[0])
    val_features = val["features"][:VALIDATION_SAMPLES][..., member.channels]
    val_quality = val["quality"][:VALIDATION_SAMPLES]
    train = Shards(member.collages)
    for epoch in range(initial_epoch, args.epochs):
        samples = train.refresh()
        lr = 0.5 * args.lr * (1 + math.cos(math.pi * epoch / args.epochs))
        model.optimizer.learning_rate.assign(lr)
        start = time.time()
        history = model.fit(batches(train, member.channels, args.steps, args.batch, seed=member.seed * 100003 + epoch),
                            steps_per_epoch=args.steps, epochs=1, verbose=0)
        metrics = {"epoch": epoch + 1, "samples": samples, "lr": round(lr, 6),
                   **{k: round(float(v[-1]), 5) for k, v in history.history.items()},
                   **validate(model, val_features, val_quality), "seconds": round(time.time() - start, 1)}
        model.save(checkpoint)
        export(model, member)
        state.write_text(json.dumps({"epoch": epoch + 1, "args": vars(args), "metrics": metrics}))
        with log.open("a") as f:
            f.write(json.dumps(metrics) + "\n")
        print(json.dumps(metrics), flush=True)


if __name__ == "__main__":
    main()
