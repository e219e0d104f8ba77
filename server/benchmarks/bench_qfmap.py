"""Time the QF maps (dejpeg.qfmap.estimate_maps) of a 12-megapixel (4000x3000) photo.

The photo is a clean validation photo (see ai-research/data) resized to 4000x3000, or any
image given with --image (resized likewise), with seeded Gaussian grain (sigma 3), as a
quality-85 Pillow JPEG decoded to pixels. Timed: luma, grid detection + block DCT (shared
with ``analyze``), and the maps (block features, network, regions, upsampling to full
resolution), each as the median of --runs calls after one warm-up.

    .venv/bin/python server/benchmarks/bench_qfmap.py [--image PATH] [--runs 3]

writes server/benchmarks/reports/qfmap.md.
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

from dejpeg.classical import grid_blocks
from dejpeg.features import luma
from dejpeg.qfmap import block_features, estimate_maps
from photo import DEFAULT_PHOTO, grained_photo

SIZE = (4000, 3000)
REPORT = Path(__file__).resolve().parent / "reports" / "qfmap.md"


def median_time(function, runs: int) -> tuple[float, object]:
    """Median wall time (s) of ``runs`` calls after one warm-up, and the last result."""
    result = function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image", type=Path, default=DEFAULT_PHOTO)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    buffer = io.BytesIO()
    grained_photo(args.image, SIZE).save(buffer, "JPEG", quality=85)
    pixels = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))

    t_luma, y = median_time(lambda: luma(pixels), args.runs)
    t_grid, (grid, coefficients) = median_time(lambda: grid_blocks(y), args.runs)
    t_features, _ = median_time(lambda: block_features(y, grid, coefficients), args.runs)
    t_maps, maps = median_time(lambda: estimate_maps(y, grid, coefficients), args.runs)
    total = t_luma + t_grid + t_maps
    flagged = float(maps.flag.mean())
    median_qf = float(np.median(maps.quality[maps.flag])) if flagged else 0.0
    lines = [
        f"| luma | {t_luma:.2f} s |", f"| grid + block DCT (shared with `analyze`) | {t_grid:.2f} s |",
        f"| maps: `estimate_maps` (of which block features {t_features:.2f} s) | {t_maps:.2f} s |",
        f"| **total from pixels** | **{total:.2f} s** |"]
    print("\n".join(lines))
    print(f"flagged {100 * flagged:.1f}% of pixels, median QF {median_qf:.0f} (truth 85), "
          f"{len(maps.regions)} regions, load average {os.getloadavg()[0]:.1f}")
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(f"""# QF-map speed on a 12-megapixel photo

Photo: `{args.image.name}` resized to {SIZE[0]}x{SIZE[1]}, grain sigma 3, quality-85 JPEG decoded to
pixels. Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, load
average {os.getloadavg()[0]:.1f} while measured (the CPU is shared). Median of {args.runs} runs after a warm-up.

Command: `.venv/bin/python server/benchmarks/bench_qfmap.py`

| stage | median time |
|---|---:|
""" + "\n".join(lines) + f"""

Result: {100 * flagged:.1f}% of pixels flagged compressed, median QF {median_qf:.0f} (truth 85),
{len(maps.regions)} regions.
""")


if __name__ == "__main__":
    main()
