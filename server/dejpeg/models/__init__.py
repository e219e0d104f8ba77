"""Learned models. Each module holds one network's architecture, loader and inference,
so training (ai-research/) and serving can never disagree on an architecture.
TensorFlow is imported lazily, when a network is built, through :func:`import_keras`."""

from __future__ import annotations

import os
import sys


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
