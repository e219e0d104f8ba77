"""Tests for dejpeg.jpegfacts: IJG tables, quality inversion, header facts."""

from __future__ import annotations

import io
import json
import struct
from dataclasses import asdict

import cv2
import numpy as np
import pytest
from PIL import Image

from dejpeg.jpegfacts import (
    STD_CHROMA,
    STD_LUMA,
    JpegFacts,
    TableQuality,
    ijg_table,
    quality_from_tables,
    read_jpeg_facts,
)

# mozjpeg's default table (index 3, N. Robidoux), used for luma and chroma.
ROBIDOUX = np.array(
    [
        16, 16, 16, 18, 25, 37, 56, 85,
        16, 17, 20, 27, 34, 40, 53, 75,
        16, 20, 24, 31, 43, 62, 91, 135,
        18, 27, 31, 40, 53, 74, 106, 156,
        25, 34, 43, 53, 69, 94, 131, 189,
        37, 40, 62, 74, 94, 124, 169, 238,
        56, 53, 91, 106, 131, 169, 226, 311,
        85, 75, 135, 156, 189, 238, 311, 418,
    ]
)  # fmt: skip


def _zigzag_to_natural() -> np.ndarray:
    """ZZ[k] = natural (row-major) index of the k-th zigzag coefficient (T.81 Figure A.6)."""
    r, c = np.divmod(np.arange(64), 8)
    s = r + c
    return np.lexsort((np.where(s % 2 == 1, r, -r), s))


def _parse_dqt(data: bytes) -> dict[int, np.ndarray]:
    """DQT tables straight from JPEG bytes (up to SOS), converted to natural order."""
    zz = _zigzag_to_natural()
    tables, pos = {}, 2
    while pos < len(data):
        marker, length = struct.unpack(">HH", data[pos : pos + 4])
        if marker == 0xFFDA:
            break
        if marker == 0xFFDB:
            seg, i = data[pos + 4 : pos + 2 + length], 0
            while i < len(seg):
                pq, tq = seg[i] >> 4, seg[i] & 15
                n = 64 * (pq + 1)
                raw = np.frombuffer(seg[i + 1 : i + 1 + n], ">u2" if pq else "u1").astype(np.int64)
                nat = np.empty(64, np.int64)
                nat[zz] = raw
                tables[tq] = nat
                i += 1 + n
        pos += 2 + length
    return tables


def _facts(data: bytes) -> JpegFacts:
    facts = read_jpeg_facts(Image.open(io.BytesIO(data)))
    assert facts is not None
    return facts


def _pil_jpeg(arr: np.ndarray, **kwargs) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(arr)).save(buf, "JPEG", **kwargs)
    return buf.getvalue()


def _cv2_jpeg(arr: np.ndarray, params: list[int]) -> bytes:
    ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(arr), params)
    assert ok
    return buf.tobytes()


# ---------------------------------------------------------------- tables


def test_standard_tables_are_annex_k_in_natural_order(small_photo):
    assert STD_LUMA.shape == STD_CHROMA.shape == (64,)
    assert STD_LUMA[:8].tolist() == [16, 11, 10, 16, 24, 40, 51, 61]
    assert STD_LUMA[8:16].tolist() == [12, 12, 14, 19, 26, 58, 60, 55]  # row 2, not zigzag
    assert STD_CHROMA[:8].tolist() == [17, 18, 24, 47, 99, 99, 99, 99]
    # libjpeg writes the base tables unscaled at quality 50 (scale 100 %).
    raw = _parse_dqt(_cv2_jpeg(small_photo, [cv2.IMWRITE_JPEG_QUALITY, 50]))
    np.testing.assert_array_equal(raw[0], STD_LUMA)
    np.testing.assert_array_equal(raw[1], STD_CHROMA)


def test_zigzag_helper_matches_t81():
    assert _zigzag_to_natural()[:10].tolist() == [0, 1, 8, 16, 9, 2, 3, 10, 17, 24]
    assert _zigzag_to_natural()[-3:].tolist() == [55, 62, 63]


def test_ijg_table_matches_libjpeg_arithmetic():
    np.testing.assert_array_equal(ijg_table(50, STD_LUMA), STD_LUMA)
    assert ijg_table(100, STD_LUMA).tolist() == [1] * 64
    assert ijg_table(75, STD_LUMA)[:8].tolist() == [8, 6, 5, 8, 12, 20, 26, 31]  # (b*50+50)//100
    assert ijg_table(90, STD_CHROMA)[:4].tolist() == [3, 4, 5, 9]  # scale 20
    assert ijg_table(1, STD_LUMA).tolist() == [255] * 64  # scale 5000, baseline clamp
    assert ijg_table(1, STD_LUMA, force_baseline=False)[0] == 800
    assert ijg_table(10, STD_LUMA, force_baseline=False).max() == 605  # 121*500/100
    # q is clamped to 1..100 like jpeg_quality_scaling
    np.testing.assert_array_equal(ijg_table(0, STD_LUMA), ijg_table(1, STD_LUMA))
    np.testing.assert_array_equal(ijg_table(250, STD_LUMA), ijg_table(100, STD_LUMA))
    many = ijg_table(np.arange(1, 101), STD_CHROMA)
    assert many.shape == (100, 64)
    np.testing.assert_array_equal(many[74], ijg_table(75, STD_CHROMA))
    assert np.all(np.diff(many, axis=0) <= 0)  # coarser tables at lower quality


def test_pillow_quantization_is_natural_order(small_photo):
    """Pillow's im.quantization (and qtables=) are natural order: check against the raw DQT."""
    luma = np.arange(1, 65)  # asymmetric: natural vs zigzag order differ
    chroma = np.arange(64, 0, -1)
    data = _pil_jpeg(small_photo, qtables=[luma.tolist(), chroma.tolist()])
    raw = _parse_dqt(data)
    np.testing.assert_array_equal(raw[0], luma)
    np.testing.assert_array_equal(raw[1], chroma)
    q = Image.open(io.BytesIO(data)).quantization
    assert list(q[0]) == luma.tolist() and list(q[1]) == chroma.tolist()


# ---------------------------------------------------------------- quality inversion


def test_quality_from_tables_exact_for_all_q_both_families():
    for fb in (True, False):
        for q in range(1, 101):
            r = quality_from_tables(ijg_table(q, STD_LUMA, fb), ijg_table(q, STD_CHROMA, fb))
            assert r == TableQuality(q, True, 0.0, q, q)
            assert quality_from_tables(ijg_table(q, STD_LUMA, fb)).quality == q  # luma alone


def test_chroma_alone_ties_resolved_toward_luma():
    # chroma tables at q 1..3 are all 255; the chroma quality follows the luma one.
    assert (ijg_table(2, STD_CHROMA) == 255).all()
    r = quality_from_tables(ijg_table(2, STD_LUMA), ijg_table(2, STD_CHROMA))
    assert (r.quality, r.luma_quality, r.chroma_quality, r.standard_tables) == (2, 2, 2, True)


@pytest.mark.parametrize("subsampling,label", [(0, "4:4:4"), (2, "4:2:0")])
def test_pillow_header_quality_exact_every_q(small_photo, subsampling, label):
    for q in range(1, 101):
        f = _facts(_pil_jpeg(small_photo, quality=q, subsampling=subsampling))
        assert (f.quality, f.standard_tables, f.table_fit_error) == (q, True, 0.0), q
        assert (f.luma_quality, f.chroma_quality) == (q, q)
        assert f.subsampling == label
        np.testing.assert_array_equal(f.quantization["luma"], ijg_table(f.quality, STD_LUMA))
        np.testing.assert_array_equal(f.quantization["chroma"], ijg_table(f.quality, STD_CHROMA))


@pytest.mark.parametrize("sampling,label", [(None, "4:2:0"), ("IMWRITE_JPEG_SAMPLING_FACTOR_444", "4:4:4")])
def test_opencv_header_quality_exact_every_q(small_photo, sampling, label):
    extra = [] if sampling is None else [cv2.IMWRITE_JPEG_SAMPLING_FACTOR, getattr(cv2, sampling)]
    for q in range(1, 101):
        f = _facts(_cv2_jpeg(small_photo, [cv2.IMWRITE_JPEG_QUALITY, q, *extra]))
        assert (f.quality, f.standard_tables, f.table_fit_error) == (q, True, 0.0), q
        assert f.subsampling == label
        np.testing.assert_array_equal(f.quantization["luma"], ijg_table(f.quality, STD_LUMA))
        np.testing.assert_array_equal(f.quantization["chroma"], ijg_table(f.quality, STD_CHROMA))


def test_sixteen_bit_tables_written_by_pillow(small_photo):
    data = _pil_jpeg(small_photo, qtables=[ijg_table(10, t, False).tolist() for t in (STD_LUMA, STD_CHROMA)])
    assert _parse_dqt(data)[0].max() == 605  # really stored as 16-bit entries
    f = _facts(data)
    assert (f.quality, f.standard_tables) == (10, True)


def test_custom_pillow_table_is_not_standard(small_photo):
    flat = [[4] * 64, [8] * 64]
    f = _facts(_pil_jpeg(small_photo, qtables=flat))
    assert f.standard_tables is False
    assert f.quantization == {"luma": [4] * 64, "chroma": [8] * 64}
    # RMS ln-ratio at the chosen q, recomputed independently:
    q = f.quality
    ref = np.concatenate([ijg_table(q, STD_LUMA), ijg_table(q, STD_CHROMA)])
    expected = np.sqrt(np.mean(np.log(np.array([4] * 64 + [8] * 64) / ref) ** 2))
    assert f.table_fit_error == pytest.approx(expected)
    assert f.table_fit_error > 0.3
    # and no other quality fits better
    for other in range(1, 101):
        ref = np.concatenate([ijg_table(other, STD_LUMA), ijg_table(other, STD_CHROMA)])
        assert np.sqrt(np.mean(np.log(np.array([4] * 64 + [8] * 64) / ref) ** 2)) >= f.table_fit_error - 1e-12


@pytest.mark.parametrize("q", [10, 30, 50, 75, 90, 95])
def test_perturbed_ijg_tables_recover_nearest_quality(q):
    rng = np.random.default_rng(q)
    noise = np.exp(rng.normal(0.0, 0.15, size=(2, 64)))  # ~15 % multiplicative jitter
    luma = np.maximum(1, np.rint(ijg_table(q, STD_LUMA) * noise[0]))
    chroma = np.maximum(1, np.rint(ijg_table(q, STD_CHROMA) * noise[1]))
    r = quality_from_tables(luma, chroma)
    assert r.standard_tables is False
    assert abs(r.quality - q) <= 1
    assert 0.08 < r.table_fit_error < 0.25


def test_mozjpeg_like_tables(small_photo):
    # mozjpeg at -quality 75: Robidoux table scaled by libjpeg's 50 %.
    table = ijg_table(75, ROBIDOUX).tolist()
    f = _facts(_pil_jpeg(small_photo, qtables=[table, table]))
    assert f.standard_tables is False
    assert 70 <= f.quality <= 80
    assert f.luma_quality < f.chroma_quality  # finer than Annex K for chroma, coarser for luma
    assert f.table_fit_error > 0.3


def test_opencv_split_luma_chroma_quality(small_photo):
    params = [cv2.IMWRITE_JPEG_LUMA_QUALITY, 80, cv2.IMWRITE_JPEG_CHROMA_QUALITY, 60]
    f = _facts(_cv2_jpeg(small_photo, params))
    assert (f.luma_quality, f.chroma_quality, f.standard_tables) == (80, 60, False)
    assert 60 < f.quality < 80 and f.table_fit_error > 0


def test_low_quality_never_fails():
    for q in range(1, 50):  # ImageMagick's identify fails in this range for odd tables
        luma = np.maximum(1, ijg_table(q, STD_LUMA) - 1)
        assert quality_from_tables(luma).quality in range(max(1, q - 3), q + 4)


def test_bad_table_length_raises():
    with pytest.raises(ValueError):
        quality_from_tables([1] * 63)


# ---------------------------------------------------------------- header facts


@pytest.mark.parametrize(
    "name,label",
    [
        ("IMWRITE_JPEG_SAMPLING_FACTOR_422", "4:2:2"),
        ("IMWRITE_JPEG_SAMPLING_FACTOR_411", "4:1:1"),
        ("IMWRITE_JPEG_SAMPLING_FACTOR_440", "4:4:0"),
    ],
)
def test_more_subsamplings(small_photo, name, label):
    f = _facts(_cv2_jpeg(small_photo, [cv2.IMWRITE_JPEG_QUALITY, 80, cv2.IMWRITE_JPEG_SAMPLING_FACTOR, getattr(cv2, name)]))
    assert f.subsampling == label and f.quality == 80


def test_pillow_422_and_gray(small_photo):
    assert _facts(_pil_jpeg(small_photo, quality=70, subsampling=1)).subsampling == "4:2:2"
    g = _facts(_pil_jpeg(small_photo[..., 1], quality=42))
    assert (g.subsampling, g.components, g.colour_space) == ("gray", 1, "gray")
    assert (g.quality, g.standard_tables, g.chroma_quality) == (42, True, None)
    assert g.quantization["chroma"] is None and len(g.tables) == 1


def test_progressive_detection(small_photo):
    assert _facts(_pil_jpeg(small_photo, quality=80)).progressive is False
    assert _facts(_pil_jpeg(small_photo, quality=80, progressive=True)).progressive is True
    f = _facts(_cv2_jpeg(small_photo, [cv2.IMWRITE_JPEG_QUALITY, 65, cv2.IMWRITE_JPEG_PROGRESSIVE, 1]))
    assert (f.progressive, f.quality) == (True, 65)


def test_exif_software_and_camera(small_photo):
    exif = Image.Exif()
    exif[0x0131] = "deJPEG test 1.0"
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS 5D Mark IV"
    f = _facts(_pil_jpeg(small_photo, quality=85, exif=exif.tobytes()))
    assert (f.software, f.camera) == ("deJPEG test 1.0", "Canon EOS 5D Mark IV")

    exif = Image.Exif()
    exif[0x010F] = "NIKON CORPORATION"
    exif[0x0110] = "NIKON D750\x00"
    assert _facts(_pil_jpeg(small_photo, exif=exif.tobytes())).camera == "NIKON CORPORATION NIKON D750"
    exif = Image.Exif()
    exif[0x010F] = "FUJIFILM"
    exif[0x0110] = "X-T3"
    f = _facts(_pil_jpeg(small_photo, exif=exif.tobytes()))
    assert (f.camera, f.software) == ("FUJIFILM X-T3", None)
    assert _facts(_pil_jpeg(small_photo)).camera is None


def test_comment_and_json(small_photo):
    f = _facts(_pil_jpeg(small_photo, quality=77, comment="made by a test"))
    assert f.comment == "made by a test"
    d = json.loads(json.dumps(asdict(f)))
    assert d == f.to_json()
    assert d["quality"] == 77 and len(d["tables"]) == 2 and len(d["quantization"]["luma"]) == 64


def test_cmyk_adobe_jpeg(small_photo):
    buf = io.BytesIO()
    Image.fromarray(small_photo).convert("CMYK").save(buf, "JPEG", quality=88)
    f = _facts(buf.getvalue())
    assert (f.adobe, f.colour_space, f.components) == (True, "CMYK", 4)
    assert f.adobe_transform == 0
    assert f.quantization["chroma"] is None  # libjpeg uses table 0 for all CMYK planes
    assert (f.quality, f.standard_tables) == (88, True)
    assert _facts(_pil_jpeg(small_photo)).adobe is False


def test_not_a_jpeg_gives_none(small_photo):
    buf = io.BytesIO()
    Image.fromarray(small_photo).save(buf, "PNG")
    assert read_jpeg_facts(Image.open(buf)) is None
    assert read_jpeg_facts(Image.fromarray(small_photo)) is None
