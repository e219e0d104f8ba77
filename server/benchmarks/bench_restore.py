"""Time the restorer: seconds per megapixel of ``dejpeg.restore.restore_pixels``.

The input is a clean validation photo (see ai-research/data) resized to --size (default
2048x2048, 4.2 MP; any image with --image), with seeded Gaussian grain (sigma 3), compressed
as a quality-30 Pillow JPEG (RGB 4:2:0, or its luma as a gray JPEG) and decoded. Each model
on RGB, the default one on gray (through its gray specialist when it ships one) and on RGB with
the 8-orientation self-ensemble: one warm-up call, then the median of --runs calls at the
given QF (the analysis is not timed: ``bench_analyze.py`` covers it).

    .venv/bin/python server/benchmarks/bench_restore.py [--size 2048 2048] [--runs 3]

writes server/benchmarks/reports/restore.md.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
from PIL import Image

from dejpeg.models import inference_precision
from dejpeg.models.restorer import BASE, DEFAULT_MODEL, MODELS, build_restorer
from dejpeg.restore import DEFAULT_OVERLAP, DEFAULT_TILE, restore_pixels
from photo import DEFAULT_PHOTO, grained_photo

REPORT = Path(__file__).resolve().parent / "reports" / "restore.md"


def jpeg_pixels(path: Path, size: tuple[int, int], gray: bool = False) -> np.ndarray:
    """(H, W, 3) uint8 (or (H, W) with ``gray``): the photo resized, grained, JPEG q30
    (4:2:0 for RGB), decoded."""
    buffer = io.BytesIO()
    photo = grained_photo(path, size)
    (photo.convert("L") if gray else photo).save(buffer, "JPEG", quality=30)
    return np.asarray(Image.open(buffer))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image", type=Path, default=DEFAULT_PHOTO)
    parser.add_argument("--size", type=int, nargs=2, default=(2048, 2048), metavar=("W", "H"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    pixels = {gray: jpeg_pixels(args.image, tuple(args.size), gray) for gray in (False, True)}
    megapixels = args.size[0] * args.size[1] / 1e6
    rows = []
    runs = ([(name, False, False) for name, info in MODELS.items() if info.available]
            + [(DEFAULT_MODEL, True, False), (DEFAULT_MODEL, False, True)])
    for name, ensemble, gray in runs:
        restore_pixels(pixels[gray], 30, name, ensemble=ensemble)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            restore_pixels(pixels[gray], 30, name, ensemble=ensemble)
            times.append(time.perf_counter() - start)
        seconds = statistics.median(times)
        info = MODELS[name]
        specialist = gray and info.gray_available
        label = " (self-ensemble x8)" if ensemble else " (gray)" if gray else ""
        parameters = build_restorer(info.widths, info.gray_layout if specialist else BASE).count_params()
        rows.append(f"| {name}{label} | {parameters:,} | {seconds:.2f} s | **{seconds / megapixels:.2f} s/MP** |")
        print(rows[-1], flush=True)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(f"""# `restore` speed

Input: `{args.image.name}` resized to {args.size[0]}x{args.size[1]} ({megapixels:.1f} MP), JPEG q30 (RGB 4:2:0, or
its luma as a gray JPEG), decoded.
Tiles {DEFAULT_TILE} px, overlap {DEFAULT_OVERLAP} px, TensorFlow on the CPU, Keras policy {inference_precision()}.
Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}. Median of {args.runs} runs after
a warm-up.
Load average (1 min) before / after: {load_before:.1f} / {os.getloadavg()[0]:.1f}: other work on the
machine slows this down; compare runs at similar load.

Command: `.venv/bin/python server/benchmarks/bench_restore.py`

| model | parameters | median time | per megapixel |
|---|---:|---:|---:|
""" + "\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
