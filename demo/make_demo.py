"""Make the demo images in this folder from the clean training photos.

Run from the repository root: ``.venv/bin/python demo/make_demo.py``.
Needs the clean-photo cache (``.venv/bin/python ai-research/data/clean_photos.py``).
Every image is a 384x256 crop of a photo from the "val" or "train" split (never from
``../shared/benchmarks``), encoded with Pillow (libjpeg, standard IJG tables, 4:2:0).
Deterministic: the same cache gives the same files.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "ai-research"))
from data.clean_photos import load_split  # noqa: E402

OUT = Path(__file__).resolve().parent
SIZE = (384, 256)  # width, height
SPLICE_BOX = (176, 64, 336, 208)  # left, top, right, bottom of the spliced region
SPLICE_SHIFT = (3, 5)  # its block grid's offset (dx, dy) in the final image
SPLICE_QUALITY = 20


def photo(split: str, name: str, left: int, top: int) -> np.ndarray:
    """A SIZE crop of one clean photo, as (H, W, 3) uint8 RGB."""
    images = dict(load_split(split))
    width, height = SIZE
    return images[name][top:top + height, left:left + width]


def jpeg(pixels: np.ndarray, quality: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def decoded(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def spliced(pixels: np.ndarray) -> np.ndarray:
    """``pixels`` with SPLICE_BOX replaced by the same content JPEG-compressed on a shifted grid."""
    dx, dy = SPLICE_SHIFT
    compressed = decoded(jpeg(np.ascontiguousarray(pixels[dy:, dx:]), SPLICE_QUALITY))
    left, top, right, bottom = SPLICE_BOX
    out = pixels.copy()
    out[top:bottom, left:right] = compressed[top - dy:bottom - dy, left - dx:right - dx]
    return out


DEMOS = [  # file, title, description: the page's "try a demo image" choices (demos.json)
    ("uncompressed.png", "Never compressed", "PNG straight from a clean photo: no JPEG trace."),
    ("single-q10.jpg", "JPEG, QF 10", "Compressed once at quality 10."),
    ("double-q50-q10.jpg", "Double, QF 50 → 10", "Compressed at quality 50, then again at 10."),
    ("double-q50-q70.jpg", "Double, QF 50 → 70", "Compressed at quality 50, then again at 70."),
    ("spliced.png", "Spliced region",
     f"PNG whose middle region was JPEG-compressed at quality {SPLICE_QUALITY} on a shifted block grid."),
]


def main() -> None:
    clean = photo("train", "enlightenment_Green-Maple", 120, 40)
    Image.fromarray(clean).save(OUT / "uncompressed.png", optimize=True)

    (OUT / "single-q10.jpg").write_bytes(jpeg(photo("val", "enlightenment_Red-Maple", 300, 140), 10))

    snow = photo("val", "enlightenment_Snow-Trees", 280, 150)
    (OUT / "double-q50-q10.jpg").write_bytes(jpeg(decoded(jpeg(snow, 50)), 10))

    flower = photo("train", "enlightenment_White-Flower", 290, 140)
    (OUT / "double-q50-q70.jpg").write_bytes(jpeg(decoded(jpeg(flower, 50)), 70))

    collage = spliced(photo("train", "enlightenment_Bamboo", 150, 120))
    Image.fromarray(collage).save(OUT / "spliced.png", optimize=True)

    manifest = [{"file": f, "title": t, "description": d} for f, t, d in DEMOS]
    (OUT / "demos.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for path in sorted(OUT.glob("*.*g")):
        print(f"{path.name}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
