"""Benchmark images of ../shared/benchmarks (evaluation only: never train or tune on them).

Shared by the evaluation scripts of ai-research/.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(os.environ.get("DEJPEG_BENCHMARKS", Path(__file__).resolve().parents[2] / "shared" / "benchmarks"))


def benchmark_images(*sets: str) -> list[tuple[str, np.ndarray]]:
    """(name, (H, W, 3) uint8 RGB) for every PNG of the named sets, sorted by set then file."""
    images = []
    for name in sets:
        folder = ROOT / name
        if not folder.is_dir():
            raise SystemExit(f"benchmark set not found: {folder} (set DEJPEG_BENCHMARKS)")
        for path in sorted(folder.glob("*.png")):
            images.append((f"{name}/{path.stem}", np.asarray(Image.open(path).convert("RGB"))))
    return images


def png_bytes(pixels: np.ndarray) -> bytes:
    """Lossless PNG of the pixels: what a pixel-only evaluation hands over."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def shifted_crop(index: int) -> tuple[int, int]:
    """Deterministic per-image (rows, cols) crop that shifts the block grid; never (0, 0)."""
    return 1 + index % 7, 1 + (3 * index + 2) % 7
