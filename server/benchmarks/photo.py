"""The benchmark photo shared by the speed scripts of server/benchmarks.

A clean validation photo (ai-research/data) or any image, resized, with seeded Gaussian
grain (sigma 3) so that an upscaled photo has the detail, and hence the file size and the
work, of a camera photo.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

DEFAULT_PHOTO = Path(os.environ.get("DEJPEG_DATA", Path.home() / ".cache" / "dejpeg" / "photos")) \
    / "val" / "enlightenment_Mountain.png"


def grained_photo(path: Path, size: tuple[int, int]) -> Image.Image:
    """The image at ``path`` resized to ``size`` (W, H), with grain; RGB.

    Raises:
        SystemExit: when the file is missing (the photo cache is built by a script).
    """
    if not path.is_file():
        raise SystemExit(f"{path} not found: build the photo cache with "
                         "`.venv/bin/python ai-research/data/clean_photos.py` or pass --image")
    photo = np.asarray(Image.open(path).convert("RGB").resize(size, Image.Resampling.LANCZOS), np.float32)
    photo += np.random.default_rng(0).normal(0.0, 3.0, photo.shape).astype(np.float32)
    return Image.fromarray(np.clip(np.rint(photo), 0, 255).astype(np.uint8))
