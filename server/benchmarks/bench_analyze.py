"""Time ``dejpeg.analyze`` on a 12-megapixel (4000x3000) photo.

The photo is a clean training photo (see ai-research/data) resized to 4000x3000, or any
image given with --image (resized likewise), with seeded Gaussian grain (sigma 3) so the
upscaled photo has the detail, and hence the file size, of a camera photo. It is timed as a quality-85 JPEG file and as
a PNG file: one warm-up call, then the median of --runs calls.

    .venv/bin/python server/benchmarks/bench_analyze.py [--image PATH] [--runs 5]

writes server/benchmarks/reports/analyze.md.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import time
from pathlib import Path

from PIL import Image

import dejpeg
from photo import DEFAULT_PHOTO, grained_photo

SIZE = (4000, 3000)
REPORT = Path(__file__).resolve().parent / "reports" / "analyze.md"


def encoded(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def time_analyze(data: bytes, runs: int) -> tuple[float, dict]:
    """Median wall time (s) of ``runs`` calls after one warm-up, and the last report's stage times."""
    dejpeg.analyze(data)
    times, report = [], None
    for _ in range(runs):
        start = time.perf_counter()
        report = dejpeg.analyze(data)
        times.append(time.perf_counter() - start)
    return statistics.median(times), report.timings_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image", type=Path, default=DEFAULT_PHOTO)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    photo = grained_photo(args.image, SIZE)
    rows = []
    for label, data in (("JPEG q85 4:2:0", encoded(photo, "JPEG", quality=85)),
                        ("PNG (pixels only)", encoded(photo, "PNG", compress_level=1))):
        seconds, stages = time_analyze(data, args.runs)
        learned = sum(stages.get(k, 0.0) for k in ("detector", "first_grid", "requantization"))
        rows.append(f"| {label} | {len(data) / 1e6:.1f} MB | **{seconds:.2f} s** | **{learned / 1000:.2f} s** | "
                    + ", ".join(f"{k} {v:.0f} ms" for k, v in stages.items()) + " |")
        print(rows[-1])
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(f"""# `analyze` speed on a 12-megapixel photo

Photo: `{args.image.name}` resized to {SIZE[0]}x{SIZE[1]}. Machine: {platform.machine()},
{os.cpu_count()} CPUs, Python {platform.python_version()}. Median of {args.runs} runs after a warm-up.

Command: `.venv/bin/python server/benchmarks/bench_analyze.py`

Targets: `analyze` under 2 s; the double-compression detection (learned detector with its
partition features, first-grid search, re-quantization test) under 1 s of that.

| input | file size | median `analyze` time | detector + first grid + requantization (last run) | stages (last run) |
|---|---:|---:|---:|---|
""" + "\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
