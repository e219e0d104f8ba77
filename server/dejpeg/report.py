"""The analysis report: one plain, JSON-serialisable result per image.

Its JSON is a contract that scripts outside the project parse (see the README):
``source``, ``jpeg``, ``grid``, ``compression``, ``quality``, ``evidence`` and
``timings_ms`` keep their names; fields may be added, never renamed.
``compression`` and ``quality`` always describe the *pixels*; ``jpeg`` describes the
file's header and is null for anything that is not a JPEG file.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields
from typing import Any

VERDICTS = ("none", "single", "double")


@dataclass
class Compression:
    """Compression history of the pixels.

    Attributes:
        verdict: "none", "single" or "double".
        confidence: probability of the verdict, 0..1.
        probabilities: {"none", "single", "double"} summing to 1.
        method: which estimator decided, e.g. "classical:quantization-steps".
    """

    verdict: str
    confidence: float
    probabilities: dict[str, float]
    method: str


@dataclass
class Quality:
    """Quality factor (IJG scale 1..100) estimated from pixels.

    Attributes:
        estimate: QF of the last compression, None when the pixels look uncompressed.
        primary_estimate: QF of the first compression of a double JPEG, else None.
        method: which estimator produced the numbers.
    """

    estimate: float | None
    primary_estimate: float | None
    method: str


@dataclass
class Grid:
    """JPEG block-grid offset (first complete 8x8 block at column dx, row dy)."""

    dx: int
    dy: int
    confidence: float


@dataclass
class Report:
    """Everything deJPEG says about one image. ``to_json()`` gives the API/CLI object."""

    source: dict[str, Any]
    jpeg: dict[str, Any] | None
    grid: Grid
    compression: Compression
    quality: Quality
    evidence: dict[str, Any] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)
    maps: dict[str, Any] | None = None
    pixel_maps: Any = field(default=None, repr=False, compare=False)
    """The full-resolution :class:`dejpeg.qfmap.QfMaps` behind ``maps`` (not in the JSON)."""

    def to_json(self) -> dict[str, Any]:
        """Plain dict of JSON types (str, int, float, bool, None, list, dict)."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self) if f.name != "pixel_maps"}


def _plain(value: Any) -> Any:
    return asdict(value) if hasattr(value, "__dataclass_fields__") else copy.deepcopy(value)
