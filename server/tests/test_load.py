"""Tests for dejpeg.load: formats, pixel normalisation, orientation, limits, bad input."""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageFile, ImageOps

from dejpeg.errors import InputError
from dejpeg.load import Limits, LoadedImage, load_image, load_path


def _save(im: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kwargs)
    return buf.getvalue()


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose IHDR claims width x height RGB pixels (nothing is allocated)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def _expect(data: bytes, code: str, status: int, limits: Limits = Limits()) -> InputError:
    with pytest.raises(InputError) as info:
        load_image(data, "x", limits)
    err = info.value
    assert (err.code, err.status) == (code, status)
    assert str(err) == err.message and "\n" not in err.message and err.message
    return err


def _exif(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


# ---------------------------------------------------------------- good input


def test_jpeg_roundtrip_and_summary(photo, jpeg_bytes):
    img = load_image(jpeg_bytes, name="photo.jpg")
    assert isinstance(img, LoadedImage)
    assert (img.format, img.mode, img.width, img.height) == ("JPEG", "RGB", 512, 384)
    assert img.pixels.shape == (384, 512, 3) and img.pixels.dtype == np.uint8
    assert img.pixels.flags.c_contiguous and img.alpha is None
    assert np.abs(img.pixels.astype(int) - photo).mean() < 4.0  # q90 JPEG of the same image
    assert (img.jpeg.quality, img.jpeg.standard_tables, img.jpeg.subsampling) == (90, True, "4:2:0")
    assert img.to_json() == {
        "name": "photo.jpg",
        "format": "JPEG",
        "width": 512,
        "height": 384,
        "mode": "RGB",
        "bytes": len(jpeg_bytes),
        "frames": 1,
        "bit_depth": 8,
        "orientation": 1,
        "has_alpha": False,
    }


def test_accepts_bytearray_and_memoryview_not_str(jpeg_bytes):
    assert load_image(bytearray(jpeg_bytes)).width == 512
    assert load_image(memoryview(jpeg_bytes)).height == 384
    with pytest.raises(TypeError):
        load_image("not bytes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "fmt,kwargs,name",
    [("PNG", {}, "PNG"), ("TIFF", {}, "TIFF"), ("TIFF", {"compression": "tiff_lzw"}, "TIFF"), ("BMP", {}, "BMP"),
     ("WEBP", {"lossless": True}, "WEBP")],
)  # fmt: skip
def test_lossless_formats_exact(make_photo, fmt, kwargs, name):
    arr = make_photo(96, 128, 3)
    img = load_image(_save(Image.fromarray(arr), fmt, **kwargs))
    assert (img.format, img.mode, img.bit_depth, img.frames) == (name, "RGB", 8, 1)
    np.testing.assert_array_equal(img.pixels, arr)
    assert img.jpeg is None


def test_grayscale_sources_give_2d(make_photo, encode):
    gray = make_photo(64, 80, 4)[..., 1]
    img = load_image(encode(gray, "PNG"))
    assert (img.mode, img.pixels.shape) == ("L", (64, 80))
    np.testing.assert_array_equal(img.pixels, gray)
    j = load_image(encode(gray, "JPEG", quality=95))
    assert j.pixels.shape == (64, 80) and j.jpeg.subsampling == "gray" and j.jpeg.quality == 95
    bits = gray > 128
    one = load_image(_save(Image.fromarray(bits), "PNG"))
    assert one.mode == "1"
    np.testing.assert_array_equal(one.pixels, np.where(bits, 255, 0))


def test_rgba_and_la_alpha_split(make_photo):
    rgb = make_photo(40, 50, 5)
    a = np.arange(40 * 50, dtype=np.uint8).reshape(40, 50)
    img = load_image(_save(Image.fromarray(np.dstack([rgb, a]), "RGBA"), "PNG"))
    assert (img.mode, img.to_json()["has_alpha"]) == ("RGBA", True)
    np.testing.assert_array_equal(img.pixels, rgb)
    np.testing.assert_array_equal(img.alpha, a)
    la = load_image(_save(Image.fromarray(np.dstack([rgb[..., 0], a]), "LA"), "PNG"))
    assert la.mode == "LA" and la.pixels.shape == (40, 50)
    np.testing.assert_array_equal(la.pixels, rgb[..., 0])
    np.testing.assert_array_equal(la.alpha, a)


def _palette_image() -> tuple[Image.Image, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    idx = rng.integers(0, 16, size=(24, 32), dtype=np.uint8)
    pal = rng.integers(0, 256, size=(256, 3), dtype=np.uint8)
    im = Image.frombytes("P", (32, 24), idx.tobytes())
    im.putpalette(pal.ravel().tolist())
    return im, idx, pal


def test_palette_png_with_and_without_transparency():
    im, idx, pal = _palette_image()
    plain = load_image(_save(im, "PNG"))
    assert (plain.mode, plain.alpha) == ("P", None)
    np.testing.assert_array_equal(plain.pixels, pal[idx])

    single = load_image(_save(im, "PNG", transparency=3))
    np.testing.assert_array_equal(single.pixels, pal[idx])
    np.testing.assert_array_equal(single.alpha, np.where(idx == 3, 0, 255))

    trns = np.arange(256, dtype=np.uint8)[::-1] // 2  # per-entry alpha (tRNS table)
    multi = load_image(_save(im, "PNG", transparency=trns.tobytes()))
    np.testing.assert_array_equal(multi.alpha, trns[idx])


def test_gif_transparency_and_animation(make_photo):
    im, idx, pal = _palette_image()
    g = load_image(_save(im, "GIF", transparency=5))
    assert (g.format, g.frames) == ("GIF", 1)
    np.testing.assert_array_equal(g.alpha, np.where(idx == 5, 0, 255))
    opaque = idx != 5
    np.testing.assert_array_equal(g.pixels[opaque], pal[idx][opaque])

    frames = [Image.fromarray(make_photo(48, 64, s)) for s in (10, 11, 12)]
    data = _save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    anim = load_image(data)
    assert (anim.frames, anim.width, anim.height) == (3, 64, 48)
    first = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))  # Pillow's own frame 0
    np.testing.assert_array_equal(anim.pixels, first)


def test_animated_png_and_webp_frame_counts(make_photo):
    frames = [Image.fromarray(make_photo(32, 48, s)) for s in (20, 21, 22, 23)]
    apng = load_image(_save(frames[0], "PNG", save_all=True, append_images=frames[1:]))
    assert (apng.format, apng.frames) == ("PNG", 4)
    np.testing.assert_array_equal(apng.pixels, np.asarray(frames[0]))
    webp = load_image(_save(frames[0], "WEBP", save_all=True, append_images=frames[1:2], lossless=True))
    assert (webp.format, webp.frames) == ("WEBP", 2)
    np.testing.assert_array_equal(webp.pixels, np.asarray(frames[0]))


def test_mpo_camera_file_reported_as_jpeg(make_photo):
    frames = [Image.fromarray(make_photo(32, 48, s)) for s in (30, 31)]
    data = _save(frames[0], "MPO", save_all=True, append_images=frames[1:], quality=80)
    img = load_image(data)
    assert (img.format, img.frames, img.jpeg.quality) == ("JPEG", 2, 80)


def test_sixteen_bit_gray_png_rounds_not_truncates():
    v = np.array([[0, 128, 129, 200, 257, 383, 32896, 65535]], dtype=np.uint16)
    img = load_image(_save(Image.fromarray(v), "PNG"))
    assert (img.mode, img.bit_depth) == ("I;16", 16)
    assert img.pixels.tolist() == [[0, 0, 1, 1, 1, 1, 128, 255]]
    np.testing.assert_array_equal(img.pixels, np.rint(v / 257.0))


@pytest.mark.parametrize("ext", [".png", ".tiff"])
def test_sixteen_bit_colour_full_precision(ext):
    rng = np.random.default_rng(3)
    rgba = rng.integers(0, 65536, size=(20, 30, 4), dtype=np.uint16)
    rgba[0, :4, 0] = [200, 65535, 128, 32896]
    for channels, mode in ((3, "RGB"), (4, "RGBA")):
        bgr = np.ascontiguousarray(np.concatenate([rgba[..., 2::-1], rgba[..., 3:]], axis=-1)[..., :channels])
        ok, buf = cv2.imencode(ext, bgr)
        assert ok
        img = load_image(buf.tobytes())
        assert (img.mode, img.bit_depth) == (mode, 16)
        np.testing.assert_array_equal(img.pixels, np.rint(rgba[..., :3] / 257.0))
        assert img.pixels[0, :4, 0].tolist() == [1, 255, 0, 128]  # Pillow alone would give 0 for 200
        if channels == 4:
            np.testing.assert_array_equal(img.alpha, np.rint(rgba[..., 3] / 257.0))


def test_32bit_tiffs():
    v = np.array([[0, 257, 65535, 1000]], dtype=np.int32)
    img = load_image(_save(Image.fromarray(v), "TIFF"))
    assert (img.mode, img.bit_depth, img.pixels.tolist()) == ("I", 16, [[0, 1, 255, 4]])
    _expect(_save(Image.fromarray(np.array([[-5, 70000]], dtype=np.int32)), "TIFF"), "unsupported_format", 415)
    _expect(_save(Image.fromarray(np.zeros((4, 4), np.float32)), "TIFF"), "unsupported_format", 415)


def test_cmyk_jpeg_colours(make_photo):
    rgb = make_photo(96, 128, 6)
    data = _save(Image.fromarray(rgb).convert("CMYK"), "JPEG", quality=95)  # Adobe-inverted CMYK
    img = load_image(data)
    assert (img.mode, img.jpeg.adobe, img.jpeg.colour_space) == ("CMYK", True, "CMYK")
    assert img.pixels.shape == (96, 128, 3)
    err = np.abs(img.pixels.astype(int) - rgb)
    assert err.mean() < 3.0 and np.percentile(err, 99) < 20
    # An un-inverted reading would be the photographic negative: very far off.
    assert np.abs((255 - img.pixels.astype(int)) - rgb).mean() > 60


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_matches_pillow(make_photo, orientation):
    arr = make_photo(30, 44, 8)
    data = _save(Image.fromarray(arr), "PNG", exif=_exif(orientation))
    img = load_image(data)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"))
    assert img.orientation == orientation
    np.testing.assert_array_equal(img.pixels, expected)
    assert (img.width, img.height) == ((30, 44) if orientation >= 5 else (44, 30))


def test_exif_rotated_jpeg_orientation_6(make_photo):
    arr = np.array(make_photo(48, 64, 9))
    arr[:8, :8] = (255, 0, 0)  # red marker at the stored top-left
    data = _save(Image.fromarray(arr), "JPEG", quality=95, exif=_exif(6))
    img = load_image(data)
    assert (img.orientation, img.width, img.height) == (6, 48, 64)
    stored = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    np.testing.assert_array_equal(img.pixels, np.rot90(stored, -1))  # 90 degrees clockwise
    r, g, b = img.pixels[:6, -6:].reshape(-1, 3).mean(axis=0)  # marker now at top-right
    assert r > 200 and g < 60 and b < 60
    rgba = _save(Image.fromarray(np.dstack([arr, np.full((48, 64), 9, np.uint8)])), "PNG", exif=_exif(6))
    assert load_image(rgba).alpha.shape == (64, 48)


# ---------------------------------------------------------------- bad input


def test_empty():
    _expect(b"", "empty", 400)


def test_random_bytes_and_text_are_not_images():
    _expect(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes(), "not_an_image", 415)
    _expect(b"hello, this is a plain text file\n" * 20, "not_an_image", 415)
    _expect(b"<html><body>nope</body></html>", "not_an_image", 415)


@pytest.mark.parametrize("fmt", ["ICO", "PPM", "PDF", "TGA"])
def test_unsupported_pillow_formats(make_photo, fmt):
    err = _expect(_save(Image.fromarray(make_photo(32, 32, 1)), fmt), "unsupported_format", 415)
    assert err.message.startswith(fmt)


def test_unsupported_non_pillow_formats():
    assert "SVG" in _expect(b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "unsupported_format", 415).message
    assert "HEIC" in _expect(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64, "unsupported_format", 415).message


def test_truncated_jpeg_raises(jpeg_bytes):
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    for cut in (0.25, 0.5, 0.9, 0.99):
        _expect(jpeg_bytes[: int(len(jpeg_bytes) * cut)], "corrupt_image", 422)
    _expect(jpeg_bytes[:40], "corrupt_image", 422)  # header cut short


def test_truncated_png_raises(photo, encode):
    data = encode(photo, "PNG")
    for cut in (0.1, 0.5, 0.99):
        _expect(data[: int(len(data) * cut)], "corrupt_image", 422)
    _expect(data[:20], "corrupt_image", 422)  # signature but no complete IHDR


def test_too_many_bytes(jpeg_bytes):
    err = _expect(jpeg_bytes, "too_large", 413, Limits(max_bytes=len(jpeg_bytes) - 1))
    assert "limit" in err.message
    assert load_image(jpeg_bytes, limits=Limits(max_bytes=len(jpeg_bytes))).width == 512


def test_too_many_pixels_from_header(jpeg_bytes):
    err = _expect(jpeg_bytes, "too_many_pixels", 413, Limits(max_pixels=512 * 384 - 1))
    assert "512 x 384" in err.message
    assert load_image(jpeg_bytes, limits=Limits(max_pixels=512 * 384)).height == 384
    header = _png_header_only(100_000, 100_000)  # 10 gigapixels claimed in ~100 bytes
    assert len(header) < 200
    _expect(header, "too_many_pixels", 413)


def test_pillow_bomb_warning_never_escapes():
    # 12000 x 12000 = 144 Mpx: above Pillow's warning threshold (~89 Mpx),
    # below its hard error (~179 Mpx); our 100 Mpx default must reject it.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        err = _expect(_png_header_only(12_000, 12_000), "too_many_pixels", 413)
    assert "12000 x 12000" in err.message


def test_fuzzed_inputs_only_raise_input_error(make_photo):
    arr = make_photo(40, 56, 13)
    im = Image.fromarray(arr)
    sources = [
        _save(im, "JPEG", quality=80),
        _save(im, "JPEG", quality=80, progressive=True),
        _save(im, "PNG"),
        _save(im, "GIF"),
        _save(im, "TIFF"),
        _save(im, "BMP"),
        _save(im, "WEBP"),
    ]
    rng = np.random.default_rng(2024)
    outcomes = {"ok": 0, "error": 0}
    for data in sources:
        for _ in range(25):
            buf = np.frombuffer(data, np.uint8).copy()
            pos = rng.integers(0, len(buf), size=rng.integers(1, 6))
            buf[pos] = rng.integers(0, 256, size=pos.size, dtype=np.uint8)
            cut = len(buf) if rng.random() < 0.6 else int(rng.integers(1, len(buf)))
            try:
                img = load_image(buf[:cut].tobytes())
            except InputError as err:
                assert err.status in (400, 413, 415, 422) and err.message
                outcomes["error"] += 1
            else:
                assert img.pixels.dtype == np.uint8 and img.pixels.shape[:2] == (img.height, img.width)
                outcomes["ok"] += 1
    assert outcomes["error"] > 20 and outcomes["ok"] > 0


# ---------------------------------------------------------------- load_path


def test_load_path(tmp_path: Path, jpeg_bytes, monkeypatch):
    p = tmp_path / "shot.jpg"
    p.write_bytes(jpeg_bytes)
    img = load_path(p)
    assert (img.name, img.bytes, img.jpeg.quality) == ("shot.jpg", len(jpeg_bytes), 90)

    with pytest.raises(InputError) as info:
        load_path(tmp_path / "missing.png")
    assert (info.value.code, info.value.status) == ("not_found", 404)
    assert "missing.png" in info.value.message
    with pytest.raises(InputError) as info:
        load_path(tmp_path)
    assert (info.value.code, info.value.status) == ("not_a_file", 400)
    assert "directory" in info.value.message

    def no_reading(self):  # the size check must happen before the file is read
        raise AssertionError("file was read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    with pytest.raises(InputError) as info:
        load_path(p, Limits(max_bytes=1000))
    assert (info.value.code, info.value.status) == ("too_large", 413)


def test_input_error_shape():
    err = InputError("too_large", "The file is too big.", 413)
    assert (str(err), err.code, err.status) == ("The file is too big.", "too_large", 413)
    assert err.to_json() == {"code": "too_large", "message": "The file is too big.", "status": 413}
