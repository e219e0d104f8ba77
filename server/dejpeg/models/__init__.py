"""Learned models. Each module holds one network's architecture, loader and inference,
so training (ai-research/) and serving can never disagree on an architecture.
TensorFlow is imported lazily, when a network is built, through :func:`import_keras`."""

from __future__ import annotations

import os
import sys
import warnings
from functools import lru_cache
from pathlib import Path

BFLOAT16 = "mixed_bfloat16"
"""Keras dtype policy of the served networks' hidden layers where the CPU computes bfloat16
natively: bfloat16 arithmetic, float32 weights (about half the time of float32 here)."""
BFLOAT16_FLAGS = {"amx_bf16", "avx512_bf16"}


def import_keras():
    """Import Keras (and TensorFlow) with TensorFlow's C++ start-up lines kept off stderr.

    TensorFlow 2.21 prints "oneDNN custom operations are on" and an absl warning on file
    descriptor 2 while it loads, whatever TF_CPP_MIN_LOG_LEVEL says; the CLI promises one
    line per problem on stderr. (Switching oneDNN off would silence it too, but makes the
    detector 7x slower here.) Later imports find the modules loaded and print nothing.
    """
    if "keras" not in sys.modules:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        saved = os.dup(2)
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 2)
                import keras  # noqa: F401
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    return sys.modules["keras"]


@lru_cache(maxsize=1)
def inference_precision() -> str:
    """The dtype policy the served networks compute in: :data:`BFLOAT16` when the CPU has
    bfloat16 instructions (/proc/cpuinfo flags :data:`BFLOAT16_FLAGS`; elsewhere TensorFlow
    would emulate them, slower than float32), else "float32". ``DEJPEG_PRECISION=float32``
    (or ``mixed_bfloat16``) overrides it; another value is ignored with a warning. Networks
    train in float32 whatever this says."""
    chosen = os.environ.get("DEJPEG_PRECISION")
    if chosen in ("float32", BFLOAT16):
        return chosen
    if chosen:
        warnings.warn(f"DEJPEG_PRECISION={chosen!r} ignored: expected float32 or {BFLOAT16}", stacklevel=2)
    try:
        flags = set(Path("/proc/cpuinfo").read_text().split())
    except OSError:
        flags = set()
    return BFLOAT16 if flags & BFLOAT16_FLAGS else "float32"
