"""JPEG header facts: quantisation tables, IJG quality, subsampling, encoder hints.

Everything here reads the *header* of a JPEG already opened by Pillow
(``PIL.JpegImagePlugin.JpegImageFile``); no pixel data is decoded.

Table conventions:
    All quantisation tables in this module are 64 integers in **natural
    (row-major) order**: index ``8*v + u`` is vertical frequency ``v``,
    horizontal frequency ``u``.  Pillow (checked on 13.0) un-zigzags the DQT segment
    when reading (``JpegImagePlugin.DQT`` indexes through ``zigzag_index``)
    and takes ``qtables=`` in natural order when writing; the tests check
    this against a DQT segment parsed straight from the bytes.

IJG quality:
    libjpeg (and so Pillow, OpenCV, ImageMagick, GIMP, ...) turns a quality
    1..100 into tables by scaling the ITU-T T.81 Annex K tables
    (``jpeg_quality_scaling`` + ``jpeg_add_quant_table``).  :func:`ijg_table`
    reproduces that exactly and :func:`quality_from_tables` inverts it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from PIL import Image, JpegImagePlugin

__all__ = [
    "STD_LUMA",
    "STD_CHROMA",
    "ijg_table",
    "quality_from_tables",
    "read_jpeg_facts",
    "TableQuality",
    "JpegFacts",
]

#: ITU-T T.81 Annex K, Table K.1 (luminance), natural order, shape (64,), int64.
STD_LUMA = np.array(
    [
        16, 11, 10, 16, 24, 40, 51, 61,
        12, 12, 14, 19, 26, 58, 60, 55,
        14, 13, 16, 24, 40, 57, 69, 56,
        14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77,
        24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101,
        72, 92, 95, 98, 112, 100, 103, 99,
    ],
    dtype=np.int64,
)  # fmt: skip
STD_LUMA.flags.writeable = False

#: ITU-T T.81 Annex K, Table K.2 (chrominance), natural order, shape (64,), int64.
STD_CHROMA = np.array(
    [
        17, 18, 24, 47, 99, 99, 99, 99,
        18, 21, 26, 66, 99, 99, 99, 99,
        24, 26, 56, 99, 99, 99, 99, 99,
        47, 66, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
    ],
    dtype=np.int64,
)  # fmt: skip
STD_CHROMA.flags.writeable = False

_QUALITIES = np.arange(1, 101, dtype=np.int64)  # (100,)


def ijg_table(quality: int | np.ndarray, base: np.ndarray, force_baseline: bool = True) -> np.ndarray:
    """libjpeg's table for ``quality`` built from ``base``, bit-exact.

    ``jpeg_quality_scaling``: q is clamped to 1..100, scale = 5000 // q for
    q < 50 else 200 - 2q.  ``jpeg_add_quant_table``: entry =
    (base * scale + 50) // 100 clamped to [1, 32767], and to 255 when
    ``force_baseline`` (what Pillow and OpenCV pass).

    Args:
        quality: an int, or an array of N ints.
        base: (64,) base table (e.g. :data:`STD_LUMA`), any order; the
            result has the same order.
        force_baseline: clamp entries to 8 bits.

    Returns:
        int64 array, (64,) for a scalar quality, (N, 64) for N qualities.
    """
    q = np.clip(np.asarray(quality, dtype=np.int64), 1, 100)
    scale = np.where(q < 50, 5000 // q, 200 - 2 * q)
    base = np.asarray(base, dtype=np.int64).reshape(64)
    table = (base * scale[..., None] + 50) // 100
    return np.clip(table, 1, 255 if force_baseline else 32767)


# Candidate IJG tables: baseline family for q 1..100, then the 16-bit
# (force_baseline=False) family.  Shapes (200, 64); _FAMILY_Q[i] is the quality.
_FAMILY_Q = np.concatenate([_QUALITIES, _QUALITIES])
IJG_LUMA_TABLES = ijg_table(_QUALITIES, STD_LUMA)
"""(100, 64) int64 baseline IJG luma tables, natural order; row q - 1 is quality q."""
_FAMILY_LUMA = np.concatenate([IJG_LUMA_TABLES, ijg_table(_QUALITIES, STD_LUMA, False)])
_FAMILY_CHROMA = np.concatenate([ijg_table(_QUALITIES, STD_CHROMA, True), ijg_table(_QUALITIES, STD_CHROMA, False)])
_LOG_LUMA = np.log(_FAMILY_LUMA)
_LOG_CHROMA = np.log(_FAMILY_CHROMA)


@dataclass
class TableQuality:
    """What the quantisation tables say about the encoder's quality setting.

    Attributes:
        quality: IJG quality 1..100 — exact when ``standard_tables``,
            otherwise the nearest IJG quality (see :func:`quality_from_tables`).
        standard_tables: True when the tables are exactly libjpeg's Annex K
            tables for one quality (luma and chroma at the same q).
        table_fit_error: RMS of ln(actual / IJG) over all table entries at
            ``quality``.  Dimensionless, roughly a fractional deviation:
            0.0 for standard tables, 0.1 means entries are typically ~10 % off.
        luma_quality: quality fitted to the luma table alone (exact if it is
            an IJG luma table).
        chroma_quality: same for the chroma table; None when there is none.
    """

    quality: int | None
    standard_tables: bool
    table_fit_error: float
    luma_quality: int | None
    chroma_quality: int | None


def _as_table(t: Any) -> np.ndarray:
    """(64,) int64 view of a table; entries < 1 (invalid) are raised to 1."""
    arr = np.asarray(t, dtype=np.int64).reshape(-1)
    if arr.shape != (64,):
        raise ValueError(f"a quantisation table has 64 entries, got {arr.size}")
    return np.maximum(arr, 1)


def _fit_one(table: np.ndarray, family: np.ndarray, log_family: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact-match mask (200,) and log-domain squared error (200,) of one table."""
    exact = np.all(family == table, axis=1)
    sse = np.sum((log_family - np.log(table)) ** 2, axis=1)
    return exact, sse


def quality_from_tables(luma: Any, chroma: Any = None) -> TableQuality:
    """Invert libjpeg's quality scaling.

    Exact match: the tables are compared with the IJG tables for every q in
    1..100 (8-bit ``force_baseline`` family first, then the 16-bit family).
    No two qualities give the same luma table, nor the same luma+chroma
    pair, so a standard JPEG has exactly one answer.  The only ambiguity is
    a chroma table *alone* at q 1..3 (all entries 255); there the chroma
    quality agrees with the luma quality when it can, else the highest
    matching q is reported.

    Nearest quality (camera, Photoshop, mozjpeg tables): least squares over
    the 100 candidate qualities in the **log domain**.  IJG quality is a
    multiplicative scale on the base tables, so in log space the family is
    (up to rounding) the base table shifted by ln(scale); fitting there
    weights a 2 -> 3 step change like a 20 -> 30 one instead of letting the
    large high-frequency entries dominate, and so matches the overall
    coarseness of quantisation, which is what "quality" means.  Luma and
    chroma entries count equally.  This never fails at low qualities.

    Args:
        luma: 64 ints, natural order (the table used by the first component).
        chroma: 64 ints, natural order, or None (grayscale / single table).

    Returns:
        :class:`TableQuality`.
    """
    lt = _as_table(luma)
    l_exact, l_sse = _fit_one(lt, _FAMILY_LUMA, _LOG_LUMA)
    luma_q = int(_FAMILY_Q[l_exact][0]) if l_exact.any() else int(_FAMILY_Q[np.argmin(l_sse)])

    if chroma is None:
        exact, sse, n_entries, chroma_q = l_exact, l_sse, 64, None
    else:
        ct = _as_table(chroma)
        c_exact, c_sse = _fit_one(ct, _FAMILY_CHROMA, _LOG_CHROMA)
        if c_exact.any():
            cands = _FAMILY_Q[c_exact]
            chroma_q = luma_q if luma_q in cands else int(cands.max())
        else:
            chroma_q = int(_FAMILY_Q[np.argmin(c_sse)])
        exact, sse, n_entries = l_exact & c_exact, l_sse + c_sse, 128

    if exact.any():
        return TableQuality(int(_FAMILY_Q[exact].max()), True, 0.0, luma_q, chroma_q)
    best = int(np.argmin(sse))
    rms = float(np.sqrt(sse[best] / n_entries))
    return TableQuality(int(_FAMILY_Q[best]), False, rms, luma_q, chroma_q)


_SUBSAMPLING = {(1, 1): "4:4:4", (2, 1): "4:2:2", (2, 2): "4:2:0", (4, 1): "4:1:1", (1, 2): "4:4:0"}


@dataclass
class JpegFacts:
    """Header facts of one JPEG; ``dataclasses.asdict`` gives plain JSON types.

    Attributes:
        quality: IJG quality (exact or nearest; see :class:`TableQuality`).
        standard_tables: tables are exactly libjpeg's for ``quality``.
        table_fit_error: RMS ln-ratio to the IJG tables at ``quality`` (0 if standard).
        luma_quality / chroma_quality: per-table qualities.
        subsampling: "4:4:4", "4:2:2", "4:2:0", "4:1:1", "4:4:0", "gray" or "other".
        progressive: progressive (SOF2/6/10/14) rather than sequential.
        quantization: {"luma": 64 ints, "chroma": 64 ints or None}, natural
            order; luma is the table of component 1, chroma the table of
            component 2 for YCbCr/YCCK (None for gray, RGB or CMYK JPEGs).
        tables: every DQT table in the file by slot id, 64 ints natural order.
        components: number of colour components (1, 3 or 4).
        colour_space: "gray", "YCbCr", "RGB", "CMYK" or "YCCK".
        adobe: has an Adobe APP14 segment (Photoshop-style writer).
        adobe_transform: APP14 transform flag (0 none, 1 YCbCr, 2 YCCK) or None.
        software: EXIF Software tag, or None.
        camera: "Make Model" from EXIF (model alone if it already names the maker), or None.
        comment: COM segment text (first 512 characters), or None.
    """

    quality: int | None
    standard_tables: bool
    table_fit_error: float
    luma_quality: int | None
    chroma_quality: int | None
    subsampling: str
    progressive: bool
    quantization: dict[str, list[int] | None] = field(default_factory=dict)
    tables: list[list[int]] = field(default_factory=list)
    components: int = 3
    colour_space: str = "YCbCr"
    adobe: bool = False
    adobe_transform: int | None = None
    software: str | None = None
    camera: str | None = None
    comment: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain-JSON dict of every field."""
        return asdict(self)


def _clean_text(value: Any, limit: int = 512) -> str | None:
    """EXIF/COM value -> stripped one-line str, or None when empty."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = " ".join(str(value).replace("\x00", " ").split())
    return text[:limit] or None


def _colour_space(im: JpegImagePlugin.JpegImageFile) -> str:
    """libjpeg's colour-space guess from component count, APP14 and component ids."""
    n = len(im.layer)
    transform = im.info.get("adobe_transform") if "adobe" in im.info else None
    if n == 1:
        return "gray"
    if n == 3:
        ids = tuple(c[0] for c in im.layer)
        if transform == 0 or (transform is None and "jfif" not in im.info and ids == (82, 71, 66)):
            return "RGB"
        return "YCbCr"
    return "YCCK" if transform == 2 else "CMYK"


def _subsampling(layer: list[tuple[int, int, int, int]], colour_space: str) -> str:
    """Chroma subsampling from SOF sampling factors (id, h, v, table)."""
    if len(layer) == 1:
        return "gray"
    others = layer[1:3] if colour_space in ("YCbCr", "YCCK") else layer[1:]
    if len({(c[1], c[2]) for c in others}) != 1:
        return "other"
    h0, v0 = layer[0][1], layer[0][2]
    h1, v1 = others[0][1], others[0][2]
    if h1 == 0 or v1 == 0 or h0 % h1 or v0 % v1:
        return "other"
    return _SUBSAMPLING.get((h0 // h1, v0 // v1), "other")


def _exif_strings(im: Image.Image) -> tuple[str | None, str | None]:
    """(software, camera) from EXIF; (None, None) if EXIF is absent or unreadable."""
    try:
        exif = im.getexif()
    except Exception:  # corrupt EXIF must not stop us reading the tables
        return None, None
    software = _clean_text(exif.get(0x0131))
    make, model = _clean_text(exif.get(0x010F)), _clean_text(exif.get(0x0110))
    if make and model:
        camera = model if model.lower().startswith(make.lower()) else f"{make} {model}"
    else:
        camera = make or model
    return software, camera


def read_jpeg_facts(im: Image.Image) -> JpegFacts | None:
    """Header facts of a JPEG opened by Pillow, or None if ``im`` is not a JPEG.

    Works straight after ``Image.open`` (only the header is needed) and on
    MPO files (multi-picture JPEGs from cameras), which are JPEGs too.
    """
    if not isinstance(im, JpegImagePlugin.JpegImageFile):
        return None
    qdict = getattr(im, "quantization", None) or {}
    slots = sorted(qdict)
    tables = [[int(v) for v in qdict[s]] for s in slots]
    layer = list(im.layer)
    colour_space = _colour_space(im)

    luma = chroma = None
    if slots:
        luma_slot = layer[0][3] if layer and layer[0][3] in qdict else slots[0]
        luma = tables[slots.index(luma_slot)]
        if colour_space in ("YCbCr", "YCCK") and len(layer) >= 3 and layer[1][3] in qdict:
            chroma = tables[slots.index(layer[1][3])]

    if luma is not None:
        tq = quality_from_tables(luma, chroma)
    else:  # no DQT at all: nothing to say about quality
        tq = TableQuality(None, False, 0.0, None, None)
    software, camera = _exif_strings(im)
    return JpegFacts(
        quality=tq.quality,
        standard_tables=tq.standard_tables,
        table_fit_error=tq.table_fit_error,
        luma_quality=tq.luma_quality,
        chroma_quality=tq.chroma_quality,
        subsampling=_subsampling(layer, colour_space) if layer else "other",
        progressive=bool(im.info.get("progressive") or im.info.get("progression")),
        quantization={"luma": luma, "chroma": chroma},
        tables=tables,
        components=len(layer),
        colour_space=colour_space,
        adobe="adobe" in im.info,
        adobe_transform=int(im.info["adobe_transform"]) if "adobe_transform" in im.info else None,
        software=software,
        camera=camera,
        comment=_clean_text(im.info.get("comment")),
    )
