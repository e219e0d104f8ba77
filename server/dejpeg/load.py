"""Decode an uploaded image once, safely, for every face of deJPEG.

``load_image(data)`` is the single entry point for bytes from a user (API,
CLI via :func:`load_path`, Python).  It enforces size limits before
decoding, identifies the format, decodes the first frame, applies EXIF
orientation, normalises pixels to 8-bit RGB or grayscale arrays and reads
JPEG header facts.  Every failure is an :class:`~dejpeg.errors.InputError`;
nothing is ever written to disk.

Supported formats: JPEG (incl. MPO camera files, reported as "JPEG"), PNG
(incl. APNG), TIFF, BMP, WebP, GIF.  Anything else is 415.
"""

from __future__ import annotations

import io
import os
import stat
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from .errors import InputError
from .jpegfacts import JpegFacts, read_jpeg_facts

__all__ = ["Limits", "LoadedImage", "load_image", "load_path", "SUPPORTED_FORMATS"]

#: Pillow format names we decode.  Camera JPEGs with an MPF segment open as
#: Pillow's "MPO" (multi-picture JPEG); they are accepted and reported as "JPEG".
SUPPORTED_FORMATS = ("JPEG", "PNG", "TIFF", "BMP", "WEBP", "GIF")
_SUPPORTED_WORDS = "JPEG, PNG, TIFF, BMP, WebP or GIF"


@dataclass(frozen=True)
class Limits:
    """Input limits, checked before any pixel is decoded.

    Attributes:
        max_bytes: largest accepted file, in bytes.
        max_pixels: largest accepted width*height (of the first frame / canvas).
            Pillow's own decompression-bomb guard also rejects anything over
            ``2 * PIL.Image.MAX_IMAGE_PIXELS`` (~179 Mpx by default) while the
            header is read, so a larger limit here has no effect beyond that.
    """

    max_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 100_000_000


DEFAULT_LIMITS = Limits()


@dataclass(eq=False)
class LoadedImage:
    """A decoded image plus the facts every analysis needs.

    Attributes:
        name: file name as given (may be "").
        format: Pillow format name: "JPEG", "PNG", "TIFF", "BMP", "WEBP" or "GIF".
        mode: the source's original Pillow mode ("RGB", "L", "P", "RGBA", "I;16", "CMYK", ...).
        width, height: size in pixels after EXIF orientation.
        bytes: file size in bytes.
        pixels: uint8, (H, W, 3) RGB, or (H, W) for grayscale sources
            (modes 1, L, LA, I;16, I); EXIF-oriented; C-contiguous; 0..255.
        alpha: uint8 (H, W) opacity 0..255 when the source has an alpha
            channel or palette transparency, else None.
        bit_depth: bits per sample in the source, 8 or 16 (16-bit is scaled to
            8-bit as round(v / 257)).
        frames: number of frames/pages (1 for stills); only the first is decoded.
        orientation: EXIF orientation that was applied (1 = none, 2..8).
        jpeg: JPEG header facts for JPEG sources, else None.
    """

    name: str
    format: str
    mode: str
    width: int
    height: int
    bytes: int
    pixels: np.ndarray = field(repr=False)
    alpha: np.ndarray | None = field(repr=False)
    bit_depth: int
    frames: int
    orientation: int
    jpeg: JpegFacts | None = field(default=None, repr=False)

    @property
    def is_gray(self) -> bool:
        """True when ``pixels`` is (H, W)."""
        return self.pixels.ndim == 2

    def to_json(self) -> dict[str, Any]:
        """Summary for API/CLI output (plain JSON types, no pixels)."""
        return {
            "name": self.name,
            "format": self.format,
            "width": self.width,
            "height": self.height,
            "mode": self.mode,
            "bytes": self.bytes,
            "frames": self.frames,
            "bit_depth": self.bit_depth,
            "orientation": self.orientation,
            "has_alpha": self.alpha is not None,
        }


# --------------------------------------------------------------------------- helpers


def human_bytes(n: int) -> str:
    """1536 -> '1.5 KiB'."""
    if n < 1024:
        return f"{n} bytes"
    if n < 1024**2:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024**2:.1f} MiB"


def _one_line(exc: BaseException) -> str:
    """Exception text squeezed to one short line."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def _sniff_supported(data: bytes) -> str | None:
    """Supported format whose magic number ``data`` starts with, else None."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "TIFF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    if data[:2] == b"BM" and len(data) >= 18 and data[14] in (12, 40, 52, 56, 64, 108, 124):
        return "BMP"
    return None


def _sniff_other(data: bytes) -> str | None:
    """Name of a well-known image/document format Pillow cannot open, else None."""
    head = data[:1024]
    if head.startswith(b"%PDF"):
        return "PDF"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1"):
            return "HEIC"
        if brand in (b"avif", b"avis"):
            return "AVIF"
    if head.startswith((b"\xff\x0a", b"\x00\x00\x00\x0cJXL \r\n\x87\n")):
        return "JPEG XL"
    if head.startswith((b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51")):
        return "JPEG 2000"
    if head.startswith(b"II\xbc"):
        return "JPEG XR"
    low = head.lstrip().lower()
    if low.startswith(b"<svg") or (low.startswith(b"<?xml") and b"<svg" in low):
        return "SVG"
    return None


def _reject_unopenable(data: bytes, exc: BaseException) -> InputError:
    """Classify bytes that Pillow could not open as one of our formats."""
    fmt = _sniff_supported(data)
    if fmt is not None:
        why = "" if isinstance(exc, Image.UnidentifiedImageError) else f" ({_one_line(exc)})"
        return InputError(
            "corrupt_image", f"The file looks like a {fmt} image but its header is damaged or incomplete{why}.", 422
        )
    other = None
    try:  # let Pillow name formats it knows (ICO, PPM, PSD, TGA, ...) but we do not accept
        with Image.open(io.BytesIO(data)) as im:
            other = im.format
    except Exception:
        other = _sniff_other(data)
    if other is not None:
        return InputError(
            "unsupported_format", f"{other} files are not supported; please upload {_SUPPORTED_WORDS}.", 415
        )
    return InputError("not_an_image", f"The file is not an image deJPEG can read ({_SUPPORTED_WORDS}).", 415)


def _too_many_pixels(width: int, height: int, limit: int) -> InputError:
    return InputError(
        "too_many_pixels",
        f"The image is {width} x {height} pixels ({width * height / 1e6:.1f} megapixels); "
        f"the limit is {limit / 1e6:.1f} megapixels.",
        413,
    )


def _source_bit_depth(im: Image.Image, data: bytes) -> int:
    """Bits per sample in the file: 16 for 16-bit PNG/TIFF/I;16 sources, else 8."""
    if im.mode.startswith("I;16"):
        return 16
    if im.format == "PNG" and data[12:16] == b"IHDR" and len(data) > 24:
        return 16 if data[24] == 16 else 8
    if im.format == "TIFF":
        bits = getattr(im, "tag_v2", {}).get(258, 8)
        bits = max(bits) if isinstance(bits, tuple) else bits
        return 16 if bits == 16 else 8
    return 8


def _to8(a: np.ndarray) -> np.ndarray:
    """uint16-range integers -> uint8 as round(v / 257) (65535 -> 255, exact at multiples of 257)."""
    return ((a.astype(np.uint32) + 128) // 257).astype(np.uint8)


def _decode_16bit_colour(data: bytes, mode: str, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray | None] | None:
    """Full-precision decode of 16-bit RGB/RGBA/LA PNG or TIFF via OpenCV.

    Pillow keeps only the high byte of 16-bit colour samples (floor(v/256));
    OpenCV returns the uint16 samples so we can round.  Returns (pixels,
    alpha) in LoadedImage layout, or None if OpenCV disagrees about the image.
    """
    arr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if arr is None or arr.dtype != np.uint16 or arr.shape[:2] != (size[1], size[0]):
        return None
    arr = arr[..., None] if arr.ndim == 2 else arr
    channels = arr.shape[2]
    alpha = _to8(arr[..., -1]) if mode in ("RGBA", "LA") and channels in (2, 4) else None
    if mode == "LA":
        return _to8(arr[..., 0]), alpha
    if channels < 3:
        return None
    return _to8(arr[..., 2::-1]), alpha  # BGR(A) -> RGB


def _pixels_from_pil(im: Image.Image, bit_depth: int) -> tuple[np.ndarray, np.ndarray | None, int]:
    """First decoded frame -> (pixels, alpha, bit_depth) in LoadedImage layout."""
    mode = im.mode
    if mode == "1":
        return np.asarray(im.convert("L")), None, 8
    if mode == "L":
        return np.asarray(im), None, 8
    if mode in ("LA", "La"):
        a = np.asarray(im if mode == "LA" else im.convert("LA"))
        return a[..., 0], a[..., 1], 8
    if mode in ("P", "PA"):
        if mode == "PA" or "transparency" in im.info:
            a = np.asarray(im.convert("RGBA"))
            return a[..., :3], a[..., 3], 8
        return np.asarray(im.convert("RGB")), None, 8
    if mode == "RGB":
        return np.asarray(im), None, 8
    if mode in ("RGBA", "RGBa"):
        a = np.asarray(im if mode == "RGBA" else im.convert("RGBA"))
        return a[..., :3], a[..., 3], 8
    if mode.startswith("I;16"):
        return _to8(np.asarray(im)), None, 16
    if mode == "I":
        a = np.asarray(im)
        lo, hi = (int(a.min()), int(a.max())) if a.size else (0, 0)
        if lo >= 0 and hi <= 255 and bit_depth == 8:
            return a.astype(np.uint8), None, 8
        if lo >= 0 and hi <= 65535:
            return _to8(a), None, 16
        raise InputError(
            "unsupported_format",
            f"32-bit integer images are supported only with values 0..65535 (this one spans {lo}..{hi}).",
            415,
        )
    if mode == "F":
        raise InputError("unsupported_format", "Floating-point images are not supported.", 415)
    if mode in ("CMYK", "YCbCr", "RGBX"):
        # CMYK: Pillow already undid Adobe's inverted JPEG convention;
        # R = (255 - C)(255 - K) / 255.  Embedded ICC profiles are not applied.
        return np.asarray(im.convert("RGB")), None, 8
    raise InputError("unsupported_format", f"Images with pixel mode {mode} are not supported.", 415)


def _exif_orientation(im: Image.Image) -> int:
    """EXIF orientation 2..8 to apply, or 1 when absent/invalid/unreadable."""
    try:
        value = im.getexif().get(0x0112, 1)
        value = int(value)
    except Exception:  # unreadable EXIF never stops a load; it just means "no orientation"
        return 1
    return value if 2 <= value <= 8 else 1


def _orient(a: np.ndarray, orientation: int) -> np.ndarray:
    """Apply EXIF orientation to (H, W[, C]) exactly like ImageOps.exif_transpose."""
    if orientation == 2:
        a = a[:, ::-1]
    elif orientation == 3:
        a = a[::-1, ::-1]
    elif orientation == 4:
        a = a[::-1]
    elif orientation == 5:
        a = a.swapaxes(0, 1)
    elif orientation == 6:
        a = np.rot90(a, -1)
    elif orientation == 7:
        a = a[::-1, ::-1].swapaxes(0, 1)
    elif orientation == 8:
        a = np.rot90(a, 1)
    return np.ascontiguousarray(a)


# --------------------------------------------------------------------------- public API


def load_image(data: bytes | bytearray | memoryview, name: str = "", limits: Limits = DEFAULT_LIMITS) -> LoadedImage:
    """Decode an uploaded image held in memory.

    Args:
        data: the file's bytes.
        name: file name for reports (not used to guess the format).
        limits: byte and pixel limits; pixels are checked from the header
            before decoding.

    Returns:
        :class:`LoadedImage` with uint8 pixels (see its docstring).

    Raises:
        InputError: ``empty`` (400), ``too_large`` / ``too_many_pixels`` (413),
            ``not_an_image`` / ``unsupported_format`` (415), ``corrupt_image``
            (422, includes truncated files).  No other exception escapes for
            bad bytes; a non-bytes ``data`` argument is a TypeError.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"load_image expects bytes, got {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise InputError("empty", "The file is empty.", 400)
    if len(data) > limits.max_bytes:
        raise InputError(
            "too_large", f"The file is {human_bytes(len(data))}; the limit is {human_bytes(limits.max_bytes)}.", 413
        )
    # Pillow warns (not raises) between MAX_IMAGE_PIXELS and twice that; our own
    # explicit limit below replaces that warning.  Pillow's other warnings
    # ("Corrupt EXIF data", ...) are about the input we are classifying anyway.
    # (catch_warnings is process-wide on Python < 3.14; at worst a concurrent
    # thread's warning is hidden.)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        warnings.filterwarnings("ignore", module=r"PIL\.")
        try:
            im = Image.open(io.BytesIO(data), formats=SUPPORTED_FORMATS)
        except Image.DecompressionBombError:
            raise InputError(
                "too_many_pixels",
                f"The image has far more pixels than allowed; the limit is {limits.max_pixels / 1e6:.1f} megapixels.",
                413,
            ) from None
        except Exception as exc:  # Pillow raises many types for bad headers
            raise _reject_unopenable(data, exc) from None
        with im:
            return _decode(im, data, name, limits)


def _decode(im: Image.Image, data: bytes, name: str, limits: Limits) -> LoadedImage:
    """Limits, frame count, JPEG facts, decode and orientation of an opened image."""
    width, height = im.size
    if width * height > limits.max_pixels:
        raise _too_many_pixels(width, height, limits.max_pixels)
    if width <= 0 or height <= 0:
        raise InputError("corrupt_image", "The image header gives a size of zero pixels.", 422)
    fmt = "JPEG" if im.format == "MPO" else str(im.format)
    mode = im.mode
    try:
        frames = int(getattr(im, "n_frames", 1) or 1)
        if frames > 1:
            im.seek(0)
        jpeg = read_jpeg_facts(im) if fmt == "JPEG" else None
        bit_depth = _source_bit_depth(im, data)
        im.load()  # raises on truncated data (ImageFile.LOAD_TRUNCATED_IMAGES is never set here)
        orientation = _exif_orientation(im)
        decoded = None
        if bit_depth == 16 and mode in ("RGB", "RGBA", "LA") and fmt in ("PNG", "TIFF"):
            decoded = _decode_16bit_colour(data, mode, im.size)
        if decoded is not None:
            pixels, alpha = decoded
        else:
            pixels, alpha, bit_depth = _pixels_from_pil(im, bit_depth)
    except InputError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels(width, height, limits.max_pixels) from None
    except Exception as exc:  # truncated/corrupt streams raise OSError, SyntaxError, ValueError, EOFError, ...
        raise InputError("corrupt_image", f"The {fmt} image could not be decoded ({_one_line(exc)}).", 422) from None

    pixels = _orient(pixels, orientation)
    alpha = _orient(alpha, orientation) if alpha is not None else None
    return LoadedImage(
        name=name,
        format=fmt,
        mode=mode,
        width=int(pixels.shape[1]),
        height=int(pixels.shape[0]),
        bytes=len(data),
        pixels=pixels,
        alpha=alpha,
        bit_depth=bit_depth,
        frames=frames,
        orientation=orientation,
        jpeg=jpeg,
    )


def load_path(path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> LoadedImage:
    """Load an image file; its size is checked with ``stat`` before it is read.

    Raises:
        InputError: ``not_found`` (404), ``not_a_file`` (400, e.g. a directory),
            ``unreadable`` (400), ``too_large`` (413), or anything
            :func:`load_image` raises.
    """
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputError("not_found", f"No such file: {p}", 404) from None
    except OSError as exc:
        raise InputError("unreadable", f"Cannot read {p}: {exc.strerror or _one_line(exc)}", 400) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError("not_a_file", f"{p} is a directory, not an image file.", 400)
    if not stat.S_ISREG(st.st_mode):
        raise InputError("not_a_file", f"{p} is not a regular file.", 400)
    if st.st_size > limits.max_bytes:
        raise InputError(
            "too_large", f"{p.name} is {human_bytes(st.st_size)}; the limit is {human_bytes(limits.max_bytes)}.", 413
        )
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError("unreadable", f"Cannot read {p}: {exc.strerror or _one_line(exc)}", 400) from None
    return load_image(data, name=p.name, limits=limits)
