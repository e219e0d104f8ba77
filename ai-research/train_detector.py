"""Train the learned detector (dejpeg.models.detector) on the features of detector_data.py.

    .venv/bin/python ai-research/train_detector.py [--epochs 16] [--batch 128]

Resumable: the full model (weights + optimizer) is saved after every epoch to
<cache>/detector/checkpoint.keras and training continues from it when run again. Seeds
are fixed. At the end the weights go to server/dejpeg/models/weights/detector.weights.h5
and the validation numbers to ai-research/reports/detector_training.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from data.clean_photos import default_cache
from dejpeg.models.detector import CLASSES, QUALITY_SCALE, WEIGHTS, build_detector, prepare

DATA = default_cache().parent / "detector"
REPORT = Path(__file__).resolve().parent / "reports" / "detector_training.json"
LOSS_WEIGHTS = {"class": 1.0, "quality": 5.0, "primary": 2.0}


def load(split: str) -> tuple[dict, dict, dict]:
    """Inputs, targets and per-output sample weights of a split."""
    data = np.load(DATA / f"{split}.npz")
    label, quality, primary = data["label"].astype(np.int32), data["quality"], data["primary"]
    targets = {"class": label,
               "quality": (quality / QUALITY_SCALE)[:, None],
               "primary": np.nan_to_num(primary / QUALITY_SCALE)[:, None]}
    weights = {"class": np.ones(len(label), np.float32),
               "quality": (label != CLASSES.index("none")).astype(np.float32),
               "primary": (~np.isnan(primary)).astype(np.float32)}
    return prepare(data["histograms"], data["profiles"]), targets, weights


def evaluate(model, x: dict, targets: dict) -> dict:
    """Validation accuracy per class and QF errors, from the model's own outputs."""
    out = model.predict(x, batch_size=512, verbose=0)
    predicted = out["class"].argmax(axis=1)
    label = targets["class"]
    single = label == CLASSES.index("single")
    double = label == CLASSES.index("double")
    qf = out["quality"][:, 0] * QUALITY_SCALE
    primary = out["primary"][:, 0] * QUALITY_SCALE
    return {
        "accuracy": float(np.mean(predicted == label)),
        **{f"recall_{c}": float(np.mean(predicted[label == i] == i)) for i, c in enumerate(CLASSES)},
        "quality_mae_single": float(np.mean(np.abs(qf[single] - targets["quality"][single, 0] * QUALITY_SCALE))),
        "quality_mae_double": float(np.mean(np.abs(qf[double] - targets["quality"][double, 0] * QUALITY_SCALE))),
        "primary_mae_double": float(np.mean(np.abs(primary[double] - targets["primary"][double, 0] * QUALITY_SCALE))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=16)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3)
    args = parser.parse_args()

    import keras
    keras.utils.set_random_seed(0)
    x, y, w = load("train")
    vx, vy, vw = load("val")
    checkpoint = DATA / "checkpoint.keras"
    state = DATA / "checkpoint.json"
    if checkpoint.is_file():
        model = keras.models.load_model(checkpoint)
        initial_epoch = json.loads(state.read_text())["epoch"]
        print(f"resuming after epoch {initial_epoch}")
    else:
        model = build_detector()
        steps = args.epochs * int(np.ceil(len(y["class"]) / args.batch))
        schedule = keras.optimizers.schedules.CosineDecay(args.lr, steps)
        model.compile(optimizer=keras.optimizers.Adam(schedule),
                      loss={"class": "sparse_categorical_crossentropy", "quality": "mae", "primary": "mae"},
                      loss_weights=LOSS_WEIGHTS)
        initial_epoch = 0

    class Save(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.save(checkpoint)
            state.write_text(json.dumps({"epoch": epoch + 1, "logs": logs}))

    model.fit(x, y, sample_weight=w, validation_data=(vx, vy, vw), batch_size=args.batch,
              epochs=args.epochs, initial_epoch=initial_epoch, callbacks=[Save()], verbose=2)
    metrics = evaluate(model, vx, vy)
    WEIGHTS.parent.mkdir(parents=True, exist_ok=True)
    model.save_weights(WEIGHTS)
    REPORT.write_text(json.dumps({"epochs": args.epochs, "batch": args.batch, "train_samples": len(y["class"]),
                                  "val_samples": len(vy["class"]), "validation": metrics}, indent=1))
    print(json.dumps(metrics, indent=1))


if __name__ == "__main__":
    main()
