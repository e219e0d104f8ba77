"""Evaluate the shipped restorers on ../shared/benchmarks (evaluation only, never tuning).

    .venv/bin/python ai-research/evaluate_restorer.py [--models restore-psnr restore-gan] [--ensemble restore-psnr]

For LIVE1_gray, Classic5 (gray) and LIVE1_color (RGB): Pillow JPEG at QF 10/20/30/40
(4:2:0 for colour), restored with the model conditioned on the true QF, PSNR / SSIM / PSNR-B
against the clean image beside the JPEG's own. Double JPEG (QF1, QF2) = (10, 30) and
(30, 50) on LIVE1_gray and LIVE1_color, aligned and with the second grid shifted by (4, 4)
(the decoded first JPEG is cropped by 4 rows and columns before the second compression);
these are restored as the product does, with the QF the analysis estimates.

Metrics follow the literature's code (KAIR / FBCNN ``util_image``): PSNR on 0..255, SSIM
with an 11 px Gaussian window (sigma 1.5) and K = (0.01, 0.03), averaged over channels for
RGB; PSNR-B adds the blocking effect factor of the restored image (Yim and Bovik 2011) to
the MSE. No border is cropped. ``detail`` (ours, :func:`detail`) is the fine texture left inside
the 8x8 blocks relative to the clean image's: what a GAN-trained model trades PSNR for.

Writes ai-research/reports/restorer.md, restorer.json and a few before/after crops of
validation photos (ai-research/reports/restorer/*.png). ``--models restore-gan --ensemble --merge``
evaluates one model and keeps the others' numbers from the existing restorer.json.
``--ensemble M`` (default: the default model) adds the column "M x8": model M with the
8-orientation self-ensemble (``restore(..., ensemble=True)``), on single JPEGs only (8x the
time); ``--ensemble`` with no model skips it. ``--sets LIVE1_gray Classic5 --merge`` evaluates
those sets only (e.g. after a new gray specialist) and keeps the other sets' numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from benchmarks import benchmark_images
from data.clean_photos import load_split
from data.jpeg_history import Compression, History, apply_history, jpeg_roundtrip
from dejpeg import analyze
from dejpeg.models.restorer import DEFAULT_MODEL, MODELS
from dejpeg.restore import restore_pixels

REPORTS = Path(__file__).resolve().parent / "reports"
QUALITIES = (10, 20, 30, 40)
DOUBLES = ((10, 30), (30, 50))
SETS = {"LIVE1_gray": True, "Classic5": True, "LIVE1_color": False}   # name -> gray
PUBLISHED_LIVE1_GRAY = {  # PSNR at QF 10 / 20 / 30 / 40, from the papers (issue 4)
    "JPEG (published)": (27.77, 30.07, 31.41, 32.35),
    "ARCNN": (28.96, 31.29, 32.67, 33.61),
    "DnCNN": (29.19, 31.59, 32.98, 33.96),
    "QGAC": (29.51, 31.83, 33.20, 34.16),
    "FBCNN": (29.75, 32.13, 33.54, 34.53),
}
PUBLISHED_LIVE1_COLOR_Q10 = {"SwinIR": 28.06}
CROPS = (("enlightenment_Mountain", 10, (200, 400), False), ("enlightenment_Red-Maple", 10, (200, 300), True),
         ("plasma_Kite", 20, (150, 250), False))
"""Before/after crops: (validation photo, QF, (top, left), gray). They come from the training
recipe's validation photos, so that no benchmark image is copied into the repository."""
CROP = 128
ENSEMBLE = " x8"
"""Suffix of a column restored with the self-ensemble."""


def channels(x: np.ndarray) -> np.ndarray:
    """(H, W) or (H, W, C) -> (C, H, W) float64."""
    x = x.astype(np.float64)
    return x[None] if x.ndim == 2 else np.moveaxis(x, -1, 0)


def psnr(clean: np.ndarray, test: np.ndarray) -> float:
    mse = np.mean((clean.astype(np.float64) - test.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0 ** 2 / mse))


def ssim(clean: np.ndarray, test: np.ndarray) -> float:
    """Mean SSIM (Wang et al. 2004; 11 px Gaussian, sigma 1.5, valid region), channel mean."""
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    values = []
    for x, y in zip(channels(clean), channels(test)):
        blur = lambda a: cv2.GaussianBlur(a, (11, 11), 1.5)[5:-5, 5:-5]
        mx, my = blur(x), blur(y)
        sxx, syy, sxy = blur(x * x) - mx ** 2, blur(y * y) - my ** 2, blur(x * y) - mx * my
        values.append(np.mean((2 * mx * my + c1) * (2 * sxy + c2) / ((mx ** 2 + my ** 2 + c1) * (sxx + syy + c2))))
    return float(np.mean(values))


def blocking_effect_factor(x: np.ndarray) -> float:
    """BEF of one (H, W) channel in 0..1: boundary minus non-boundary squared differences."""
    h, w = x.shape
    dh, dv = (x[:, :-1] - x[:, 1:]) ** 2, (x[:-1] - x[1:]) ** 2
    bh, bv = np.arange(7, w - 1, 8), np.arange(7, h - 1, 8)
    n_bh, n_bv = h * (w // 8 - 1), w * (h // 8 - 1)
    boundary = (dh[:, bh].sum() + dv[bv].sum()) / (n_bh + n_bv)
    nonboundary = (dh.sum() - dh[:, bh].sum() + dv.sum() - dv[bv].sum()) / (h * (w - 1) - n_bh + w * (h - 1) - n_bv)
    return float(max(0.0, np.log2(8) / np.log2(min(h, w)) * (boundary - nonboundary)))


def psnr_b(clean: np.ndarray, test: np.ndarray) -> float:
    values = []
    for x, y in zip(channels(clean) / 255.0, channels(test) / 255.0):
        values.append(10 * np.log10(1.0 / (np.mean((x - y) ** 2) + blocking_effect_factor(y))))
    return float(np.mean(values))


def detail(clean: np.ndarray, test: np.ndarray) -> float:
    """Fine texture of ``test`` relative to ``clean``: sqrt(sum L(test)^2 / sum L(clean)^2), L the
    4-neighbour Laplacian at the pixels whose 3x3 neighbourhood lies inside one 8x8 block of the
    (0, 0) grid (so that JPEG block edges do not count as detail), over all channels.

    1 = as much fine texture as the original; JPEG and smoothing restorers fall below 1, a
    restorer that invents texture moves towards (or past) 1.
    """
    def energy(x: np.ndarray) -> float:
        total = 0.0
        for channel in channels(x):
            rows, columns = (np.isin(np.arange(n) % 8, np.arange(1, 7)) for n in channel.shape)
            laplacian = cv2.Laplacian(channel, cv2.CV_64F, ksize=1)
            total += float(np.sum(laplacian[np.ix_(rows, columns)] ** 2))
        return total

    return float(np.sqrt(energy(test) / energy(clean)))


METRICS = ("psnr", "ssim", "psnr_b", "detail")


def metrics(clean: np.ndarray, test: np.ndarray) -> np.ndarray:
    """(4,) :data:`METRICS` of ``test`` against ``clean``."""
    return np.array([psnr(clean, test), ssim(clean, test), psnr_b(clean, test), detail(clean, test)])


def restored(column: str, jpeg: np.ndarray, quality: float) -> np.ndarray:
    """``jpeg`` restored as the report's ``column`` says ("restore-psnr", "restore-psnr x8", ...)."""
    return restore_pixels(jpeg, quality, column.removesuffix(ENSEMBLE), ensemble=column.endswith(ENSEMBLE))


def load_sets(names=tuple(SETS)) -> dict[str, list[tuple[str, np.ndarray]]]:
    """{set: [(name, (H, W) gray or (H, W, 3) RGB uint8)]} for the named sets of :data:`SETS`."""
    return {s: [(n, p[..., 0].copy() if SETS[s] else p) for n, p in benchmark_images(s)] for s in names}


def evaluate_single(sets, models) -> dict:
    out = {}
    for set_name, images in sets.items():
        for q in QUALITIES:
            rows = {"jpeg": [], **{m: [] for m in models}}
            for _, clean in images:
                jpeg = jpeg_roundtrip(clean, q, "pillow", "4:2:0")
                rows["jpeg"].append(metrics(clean, jpeg))
                for m in models:
                    rows[m].append(metrics(clean, restored(m, jpeg, q)))
            out[f"{set_name}/q{q}"] = {k: dict(zip(METRICS, np.mean(v, axis=0).round(4).tolist()))
                                       for k, v in rows.items()}
            print(set_name, q, json.dumps(out[f"{set_name}/q{q}"]), flush=True)
    return out


def evaluate_double(sets, models) -> dict:
    models = [m for m in models if not m.endswith(ENSEMBLE)]
    out = {}
    for set_name in [s for s in ("LIVE1_gray", "LIVE1_color") if s in sets]:
        for q1, q2 in DOUBLES:
            for shift in ((0, 0), (4, 4)):
                history = History([Compression(q1, "pillow", "4:2:0"), Compression(q2, "pillow", "4:2:0")], shift)
                rows, estimates = {"jpeg": [], **{m: [] for m in models}}, []
                for _, clean in sets[set_name]:
                    jpeg, target = apply_history(clean, history), clean[shift[0]:, shift[1]:]
                    estimate = analyze(_png(jpeg)).quality.estimate
                    q = float(estimate) if estimate is not None else float(q2)
                    estimates.append(q)
                    rows["jpeg"].append(metrics(target, jpeg))
                    for m in models:
                        rows[m].append(metrics(target, restored(m, jpeg, q)))
                key = f"{set_name}/double_{q1}_{q2}/{'shifted_4_4' if shift != (0, 0) else 'aligned'}"
                out[key] = {k: dict(zip(METRICS, np.mean(v, axis=0).round(4).tolist()))
                            for k, v in rows.items()}
                out[key]["estimated_quality_mean"] = round(float(np.mean(estimates)), 2)
                print(key, json.dumps(out[key]), flush=True)
    return out


def _png(pixels: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", pixels if pixels.ndim == 2 else pixels[..., ::-1])
    return data.tobytes()


def save_crops(models) -> list[str]:
    """Side-by-side crops (JPEG | each model | clean), 2x nearest; returns the file names."""
    images = dict(load_split("val"))
    folder = REPORTS / "restorer"
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for name, q, (top, left), gray in CROPS:
        clean = np.asarray(Image.fromarray(images[name]).convert("L")) if gray else images[name]
        jpeg = jpeg_roundtrip(clean, q, "pillow", "4:2:0")
        panels = [jpeg] + [restored(m, jpeg, q) for m in models] + [clean]
        panels = [p[top:top + CROP, left:left + CROP] for p in panels]
        strip = np.concatenate([np.pad(p, ((0, 0), (0, 4)) + ((0, 0),) * (p.ndim - 2), constant_values=255)
                                for p in panels], axis=1)
        file = f"val_{name}{'_gray' if gray else ''}_q{q}.png"
        Image.fromarray(np.kron(strip, np.ones((2, 2) + (1,) * (strip.ndim - 2), np.uint8))).save(folder / file)
        names.append(file)
    return names


def fmt(cell: dict) -> str:
    return f"{cell['psnr']:.2f} / {cell['ssim']:.4f} / {cell['psnr_b']:.2f}"


def write_report(results: dict, models: list[str], crops: list[str], seconds: float, arguments: str) -> None:
    """Write restorer.json and restorer.md; ``arguments``: the last run's command-line options."""
    (REPORTS / "restorer.json").write_text(json.dumps(results, indent=1) + "\n")
    cols = ["jpeg", *models]
    lines = ["# Restorer evaluation", "",
             "Command: `.venv/bin/python ai-research/evaluate_restorer.py` "
             f"(last run: `{('evaluate_restorer.py ' + arguments).strip()}`, {seconds / 60:.0f} min on the shared "
             "2-core machine). Pillow JPEG (4:2:0 for colour); "
             "cells are PSNR (dB) / SSIM / PSNR-B (dB), mean over the set; single JPEG restored at the true QF. "
             f"Columns \"M{ENSEMBLE}\": model M with the 8-orientation self-ensemble (single JPEGs only).", ""]
    for set_name in SETS:
        lines += [f"## {set_name}", "", "| QF | " + " | ".join(cols) + " |", "|---:|" + "---:|" * len(cols)]
        for q in QUALITIES:
            cell = results["single"][f"{set_name}/q{q}"]
            lines.append(f"| {q} | " + " | ".join(fmt(cell[c]) for c in cols) + " |")
        lines.append("")
    lines += ["## Fine texture", "",
              "Detail ratio (`detail`: Laplacian energy inside the 8x8 blocks relative to the clean image's; "
              "1 = as much fine texture as the original, below 1 = smoother), single JPEG.", "",
              "| set | QF | " + " | ".join(cols) + " |", "|---|---:|" + "---:|" * len(cols)]
    for set_name in SETS:
        for q in QUALITIES:
            cell = results["single"][f"{set_name}/q{q}"]
            lines.append(f"| {set_name} | {q} | " + " | ".join(
                f"{cell[c]['detail']:.3f}" if "detail" in cell.get(c, {}) else "–" for c in cols) + " |")
    lines += ["", "## Published LIVE1 (gray) PSNR beside ours", "",
              "| method | QF 10 | QF 20 | QF 30 | QF 40 |", "|---|---:|---:|---:|---:|"]
    for name, values in PUBLISHED_LIVE1_GRAY.items():
        lines.append(f"| {name} | " + " | ".join(f"{v:.2f}" for v in values) + " |")
    for c in cols:
        label = "JPEG (ours, Pillow)" if c == "jpeg" else f"**{c}** (ours)"
        lines.append(f"| {label} | " + " | ".join(f"{results['single'][f'LIVE1_gray/q{q}'][c]['psnr']:.2f}"
                                                   for q in QUALITIES) + " |")
    colour = results["single"]["LIVE1_color/q10"]
    lines += ["", "LIVE1 colour QF 10 PSNR (RGB): SwinIR (published) 28.06; ours "
              + ", ".join(f"{c} {colour[c]['psnr']:.2f}" for c in cols) + ".", "",
              "## Double JPEG (QF1 then QF2), restored at the analysis' QF estimate", "",
              "| set | QF1, QF2 | grid | estimated QF | " + " | ".join(cols) + " |",
              "|---|---|---|---:|" + "---:|" * len(cols)]
    for key, cell in results["double"].items():
        set_name, qs, grid = key.split("/")
        q1, q2 = qs.split("_")[1:]
        cells = [fmt(cell[c]) if c in cell else "–" for c in cols]
        lines.append(f"| {set_name} | {q1}, {q2} | {grid.replace('_4_4', ' (4, 4)')} | "
                     f"{cell['estimated_quality_mean']:.1f} | " + " | ".join(cells) + " |")
    lines += ["", "## Before / after (JPEG | " + " | ".join(models) + " | clean; 2x nearest)", "",
              "Crops of the training recipe's validation photos (no benchmark image is stored here).", ""]
    lines += [f"![{c}](restorer/{c})" for c in crops]
    (REPORTS / "restorer.md").write_text("\n".join(lines) + "\n")


def merge(previous: dict, results: dict) -> dict:
    """``results`` added to ``previous`` (same cases; the new models' cells replace old ones)."""
    models = [c for m in MODELS for c in (m, m + ENSEMBLE) if c in previous["models"] or c in results["models"]]
    for section in ("single", "double"):
        for key, cell in results[section].items():
            previous[section].setdefault(key, {}).update(cell)
    return {**previous, "models": models}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--models", nargs="+", default=[m for m, info in MODELS.items() if info.available])
    p.add_argument("--merge", action="store_true",
                   help="keep the other models' numbers of the existing restorer.json (evaluate one new model)")
    p.add_argument("--ensemble", nargs="*", default=[DEFAULT_MODEL], metavar="MODEL",
                   help="also evaluate these models with the 8-orientation self-ensemble (8x slower)")
    p.add_argument("--sets", nargs="+", choices=list(SETS), default=list(SETS),
                   help="evaluate these sets only (with --merge: the others keep their numbers)")
    args = p.parse_args()
    if set(args.sets) != set(SETS) and not args.merge:
        p.error("--sets with only some sets needs --merge (the report lists every set)")
    start = time.time()
    sets = load_sets(args.sets)
    columns = args.models + [m + ENSEMBLE for m in args.ensemble]
    results = {"models": columns, "single": evaluate_single(sets, columns), "double": evaluate_double(sets, columns)}
    existing = REPORTS / "restorer.json"
    if args.merge and existing.is_file():
        results = merge(json.loads(existing.read_text()), results)
    crops = save_crops(results["models"])
    write_report(results, results["models"], crops, time.time() - start, " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
