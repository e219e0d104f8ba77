"""Evaluate the QF maps on collages built from ../shared/benchmarks (LIVE1_color + Kodak24).

    .venv/bin/python ai-research/evaluate_qfmap.py

Per benchmark image (53), one collage per case below, built by data/collages.py's
compose (same clean image inside and outside, so the only cue is compression; Pillow,
4:2:0; final crop of 14..21 px moves the grid; region: a random ellipse, polygon or blob
(noise smoothed with sigma 24-48 px) covering 10-40% of the area; QFs in 10..95, drawn per image with a fixed seed). The
pixels go to dejpeg.qfmap.estimate_maps on the *detected* grid, as served (pixel-only:
what a PNG hands over).

Collage cases (background + region):
  none + QF-x           never-compressed background, region once at QF x
  QF-a + QF-b           both once, |a - b| >= 15
  QF-a + double         background once at a, region twice (aligned) ending at b, |a - b| >= 15
  QF-a + shifted QF-b   region once on a grid shifted by (1..7, 1..7) px, |a - b| >= 15
  QF-a + shifted QF-a   same QF, only the grid differs (reported, no target)
Uniform cases (no region): never compressed, once at QF x, twice (aligned) ending at b.

Metrics: IoU of the predicted "different" mask (estimate_maps().different) with the true
region; per-pixel QF MAE inside uniform areas (pixels of compressed truth at least 16 px
from the seam; a pixel flagged "not compressed" counts with QF 0); pixel flag accuracy;
the false "different" area of uniform images. Writes ai-research/reports/qfmap.md,
qfmap.json. With --source val the same cases are built from the 5 validation photos
instead (qfmap_val.json, and half-size overlays of the targeted cases of the first two
photos in ai-research/reports/qfmap_overlays/, so that no benchmark pixels are stored in
the repository): the constants of dejpeg.qfmap are chosen there, never on the benchmarks.
``--sweep NAME=V1,V2 ...`` (with --source val) scores every combination of those
dejpeg.qfmap constants on the same collages, running the network once per collage, and
writes qfmap_val_sweep.json:

    .venv/bin/python ai-research/evaluate_qfmap.py --source val --repeats 4 \
        --sweep DIFFERENT_THRESHOLD=0.35,0.5,0.65 MISFIT_THRESHOLD=0.5,0.7,0.9
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import hashlib
import itertools
import json
import time
from pathlib import Path

import cv2
import numpy as np
from scipy import ndimage

from benchmarks import benchmark_images
from data.clean_photos import load_split
from data.collages import MARGIN, compose, region_mask
from data.jpeg_history import Compression, History
import dejpeg.qfmap
from dejpeg.classical import grid_blocks
from dejpeg.features import luma
from dejpeg.models.qfmap import shared_model
from dejpeg.qfmap import estimate_maps

REPORTS = Path(__file__).resolve().parent / "reports"
OVERLAYS = REPORTS / "qfmap_overlays"
COLLAGE_CASES = ("none + QF-x", "QF-a + QF-b", "QF-a + double", "QF-a + shifted QF-b", "QF-a + shifted QF-a")
UNIFORM_CASES = ("uniform none", "uniform QF-x", "uniform double")
TARGETED = COLLAGE_CASES[:4]
SEAM = 16
BLOB_SIGMA = (24.0, 48.0)
"""Blob smoothness (px): a spliced region is one coherent shape, not speckle of a few blocks."""


def once(quality: int) -> History:
    return History([Compression(int(quality), "pillow", "4:2:0")])


def two_apart(rng: np.random.Generator, gap: int = 15) -> tuple[int, int]:
    """Two QFs in 10..95 at least ``gap`` apart."""
    while True:
        a, b = (int(v) for v in rng.integers(10, 96, 2))
        if abs(a - b) >= gap:
            return a, b


def case_histories(case: str, rng: np.random.Generator) -> tuple[History, History | None, tuple[int, int]]:
    """(background, region or None, region grid offset) of a case."""
    a, b = two_apart(rng)
    if case == "none + QF-x":
        return History([]), once(b), (0, 0)
    if case == "QF-a + QF-b":
        return once(a), once(b), (0, 0)
    if case == "QF-a + double":
        first = int(rng.integers(10, 96))
        return once(a), History([Compression(first, "pillow", "4:2:0"), Compression(b, "pillow", "4:2:0")]), (0, 0)
    offset = (int(rng.integers(1, 8)), int(rng.integers(1, 8)))
    if case == "QF-a + shifted QF-b":
        return once(a), once(b), offset
    if case == "QF-a + shifted QF-a":
        return once(a), once(a), offset
    if case == "uniform none":
        return History([]), None, (0, 0)
    if case == "uniform QF-x":
        return once(a), None, (0, 0)
    first = int(rng.integers(10, 96))
    return History([Compression(first, "pillow", "4:2:0"), Compression(b, "pillow", "4:2:0")]), None, (0, 0)


def overlay(pixels: np.ndarray, maps, truth: np.ndarray | None) -> np.ndarray:
    """Image | QF map (colour, black = not compressed) over the image, true region outline
    in white, predicted regions in magenta: (H, 2W, 3) uint8 RGB (saved at half size)."""
    colour = cv2.applyColorMap(maps.quality, cv2.COLORMAP_TURBO)[..., ::-1]
    colour[~maps.flag] = 0
    blend = (0.35 * pixels + 0.65 * colour).astype(np.uint8)
    for mask, rgb in ((truth, (255, 255, 255)), (maps.different, (255, 0, 255))):
        if mask is not None and mask.any():
            edge = mask & ~ndimage.binary_erosion(mask, iterations=2)
            blend[edge] = rgb
    return np.concatenate([pixels, blend], axis=1)


def iou(predicted: np.ndarray, mask: np.ndarray) -> float:
    """Intersection over union of two (H, W) bool masks (0 when both are empty)."""
    union = (predicted | mask).sum()
    return float((predicted & mask).sum() / union) if union else 0.0


def evaluate_one(pixels: np.ndarray, truth_quality: np.ndarray, mask: np.ndarray | None) -> dict:
    """Metrics of one collage or uniform image."""
    start = time.perf_counter()
    y = luma(pixels)
    grid, coefficients = grid_blocks(y)
    maps = estimate_maps(y, grid, coefficients)
    seconds = time.perf_counter() - start
    if mask is None:
        interior = np.ones(truth_quality.shape, bool)
    else:
        seam = ndimage.binary_dilation(mask, iterations=SEAM) & ndimage.binary_dilation(~mask, iterations=SEAM)
        interior = ~seam
    compressed = interior & (truth_quality > 0)
    result = {
        "qf_mae": float(np.mean(np.abs(maps.quality[compressed].astype(float) - truth_quality[compressed])))
        if compressed.any() else None,
        "flag_accuracy": float(np.mean(maps.flag[interior] == (truth_quality[interior] > 0))),
        "different_area": float(maps.different.mean()),
        "regions": len(maps.regions), "seconds": seconds, "grid": [grid.dx, grid.dy],
    }
    if mask is not None:
        result["iou"] = iou(maps.different, mask)
    return result | {"_maps": maps}


class Sweep:
    """Mean IoU of the targeted cases for every combination of some dejpeg.qfmap constants.

    The network's outputs are memoised per block-feature array, so each collage costs one
    network pass whatever the number of combinations; only the classical post-processing
    runs again.
    """

    def __init__(self, settings: list[str]):
        names, values = [], []
        for setting in settings:
            name, _, listed = setting.partition("=")
            if not hasattr(dejpeg.qfmap, name) or not listed:
                raise SystemExit(f"--sweep: expected NAME=V1,V2 with NAME a constant of dejpeg.qfmap, got {setting!r}")
            names.append(name)
            values.append([float(v) for v in listed.split(",")])
        self.names = names
        self.combinations = list(itertools.product(*values))
        self.scores: dict[tuple, dict[str, list[float]]] = {
            c: {case: [] for case in TARGETED} for c in self.combinations}
        model = shared_model()
        predict, memo = model.predict, {}

        def memoised(features: np.ndarray):
            key = hashlib.sha1(np.ascontiguousarray(features).tobytes()).hexdigest()
            if key not in memo:
                memo.clear()                         # one collage at a time
                memo[key] = predict(features)
            return memo[key]

        model.predict = memoised

    def add(self, case: str, pixels: np.ndarray, mask: np.ndarray) -> None:
        """Score one collage of a targeted case under every combination."""
        y = luma(pixels)
        grid, coefficients = grid_blocks(y)
        original = [getattr(dejpeg.qfmap, n) for n in self.names]
        try:
            for combination in self.combinations:
                for name, value in zip(self.names, combination):
                    setattr(dejpeg.qfmap, name, value)
                self.scores[combination][case].append(iou(estimate_maps(y, grid, coefficients).different, mask))
        finally:
            for name, value in zip(self.names, original):
                setattr(dejpeg.qfmap, name, value)

    def table(self) -> list[dict]:
        """One row per combination: the constants, the mean IoU per targeted case and overall."""
        rows = []
        for combination, cases in self.scores.items():
            means = {case: round(float(np.mean(v)), 4) for case, v in cases.items()}
            overall = round(float(np.mean(list(means.values()))), 4)
            rows.append(dict(zip(self.names, combination)) | means | {"mean": overall})
        return rows


def summary(rows: list[dict]) -> dict:
    """Means over the images of one case."""
    out = {"n": len(rows)}
    for key in ("iou", "qf_mae", "flag_accuracy", "different_area", "seconds"):
        values = [r[key] for r in rows if r.get(key) is not None]
        if values:
            out[key] = round(float(np.mean(values)), 4)
    if rows and "iou" in rows[0]:
        out["iou_at_least_0.9"] = round(float(np.mean([r["iou"] >= 0.9 for r in rows])), 4)
    return out


def markdown(results: dict, images: int) -> str:
    lines = ["# QF maps: evaluation on benchmark collages", "",
             f"`.venv/bin/python ai-research/evaluate_qfmap.py` — {images} images of ../shared/benchmarks "
             "(LIVE1_color + Kodak24), one collage per case and image, Pillow 4:2:0, pixel-only, "
             "grid moved by a 14..21 px crop, region 10–40% of the area (ellipse, polygon or blob). See the script's docstring.", "",
             "| case | n | mean IoU | IoU ≥ 0.9 | QF MAE inside | flag accuracy | s / image |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for case in COLLAGE_CASES:
        s = results[case]
        lines.append(f"| {case} | {s['n']} | {s['iou']:.3f} | {100 * s['iou_at_least_0.9']:.0f}% | "
                     f"{s.get('qf_mae', float('nan')):.2f} | {100 * s['flag_accuracy']:.1f}% | {s['seconds']:.2f} |")
    lines += ["", "| uniform image | n | QF MAE | flag accuracy | false 'different' area |", "|---|---:|---:|---:|---:|"]
    for case in UNIFORM_CASES:
        s = results[case]
        mae = f"{s['qf_mae']:.2f}" if "qf_mae" in s else "–"
        lines.append(f"| {case} | {s['n']} | {mae} | {100 * s['flag_accuracy']:.1f}% | "
                     f"{100 * s['different_area']:.2f}% |")
    targeted = [results[c]["iou"] for c in TARGETED]
    lines += ["", f"Mean IoU over the four targeted cases: {np.mean(targeted):.3f} (target ≥ 0.90). "
              "QF MAE inside: pixels of compressed truth ≥ 16 px from the seam.", "",
              "Overlays of validation-photo collages, written by `--source val` (left: image; right: QF map "
              "in colour, black = not compressed; white: true region; "
              "magenta: predicted regions): " + ", ".join(f"[{p.name}](qfmap_overlays/{p.name})"
                                                            for p in sorted(OVERLAYS.glob("*.png")))]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=0, help="first N images only (quick look)")
    parser.add_argument("--source", choices=("benchmarks", "val"), default="benchmarks",
                        help="val: the validation photos, for choosing constants (writes qfmap_val.json only)")
    parser.add_argument("--repeats", type=int, default=1, help="collages per image and case (other seeds)")
    parser.add_argument("--sweep", nargs="+", metavar="NAME=V1,V2",
                        help="with --source val: score these dejpeg.qfmap constants (writes qfmap_val_sweep.json)")
    args = parser.parse_args()
    validation = args.source == "val"
    if args.sweep and not validation:
        parser.error("--sweep chooses constants, so it runs on the validation photos only (--source val)")
    sweep = Sweep(args.sweep) if args.sweep else None
    images = load_split("val") if validation else benchmark_images("LIVE1_color", "Kodak24")
    if args.limit:
        images = images[:args.limit]
    images = images * args.repeats
    OVERLAYS.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[dict]] = {c: [] for c in COLLAGE_CASES + UNIFORM_CASES}
    for index, (name, image) in enumerate(images):
        for k, case in enumerate(COLLAGE_CASES + UNIFORM_CASES):
            rng = np.random.default_rng([7, index, k])
            background, region, offset = case_histories(case, rng)
            height, width = image.shape[0] - MARGIN, image.shape[1] - MARGIN
            mask = region_mask(rng, height, width, 0.1, 0.4, BLOB_SIGMA) if region is not None else None
            crop = (int(rng.integers(14, 22)), int(rng.integers(14, 22)))
            pixels, truth = compose(image, background, region, mask, offset, crop)
            if sweep is not None:
                if case in TARGETED:
                    sweep.add(case, pixels, mask)
                continue
            result = evaluate_one(pixels, truth, mask)
            maps = result.pop("_maps")
            rows[case].append({"image": name, "background": background.to_json(),
                               "region": region.to_json() if region else None, "offset": offset, **result})
            if index < 2 and case in TARGETED and validation:
                slug = case.replace(" + ", "_").replace(" ", "-")
                small = cv2.resize(overlay(pixels, maps, mask), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
                cv2.imwrite(str(OVERLAYS / f"{index}_{slug}.png"), small[..., ::-1])
        if sweep is None:
            print(name, {c: round(rows[c][-1].get("iou", rows[c][-1]["flag_accuracy"]), 3) for c in rows}, flush=True)
        else:
            print(name, flush=True)
    REPORTS.mkdir(parents=True, exist_ok=True)
    if sweep is not None:
        table = sweep.table()
        (REPORTS / "qfmap_val_sweep.json").write_text(json.dumps(table, indent=1))
        for row in sorted(table, key=lambda r: -r["mean"]):
            print(json.dumps(row))
        return
    results = {case: summary(r) for case, r in rows.items()}
    if validation:
        (REPORTS / "qfmap_val.json").write_text(json.dumps({"summary": results, "cases": rows}, indent=1))
        print(json.dumps(results, indent=1))
        return
    (REPORTS / "qfmap.json").write_text(json.dumps({"summary": results, "cases": rows}, indent=1))
    (REPORTS / "qfmap.md").write_text(markdown(results, len(images)))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
