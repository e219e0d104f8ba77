"""dejpeg.pipeline.analyze(): every kind of source in, a JSON-able Report out."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from dejpeg.errors import InputError
from dejpeg.load import Limits, load_image
from dejpeg.classical import analyze_pixels
from dejpeg.features import luma
from dejpeg.pipeline import _last_quality, analyze, fuse
from dejpeg.report import Compression, Grid, Quality, Report

CONTRACT_KEYS = {"source", "jpeg", "grid", "compression", "quality", "evidence", "timings_ms"}


def _decoded(data: bytes) -> np.ndarray:
    """Pixels of an encoded image (the JPEG decoded by Pillow)."""
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB"))


@pytest.fixture(scope="module")
def q30(photo, encode) -> bytes:
    return encode(photo, quality=30)


@pytest.fixture(scope="module")
def q30_report(q30) -> Report:
    return analyze(q30)


# --------------------------------------------------------------------------- sources


def test_bytes_source(q30, q30_report):
    report = q30_report
    assert isinstance(report, Report)
    assert report.source["name"] == ""
    assert report.source["format"] == "JPEG"
    assert (report.source["width"], report.source["height"]) == (512, 384)
    assert report.source["bytes"] == len(q30)
    assert report.jpeg["quality"] == 30
    assert report.compression.verdict == "single"
    assert abs(report.quality.estimate - 30) <= 3


@pytest.mark.parametrize("kind", [bytearray, memoryview])
def test_bytes_like_sources(q30, q30_report, kind):
    report = analyze(kind(q30), name="upload.jpg")
    assert report.source["name"] == "upload.jpg"
    assert report.jpeg == q30_report.jpeg
    assert report.compression == q30_report.compression


def test_str_and_pathlib_sources_default_name_to_basename(tmp_path, q30, q30_report):
    path = tmp_path / "holiday.jpg"
    path.write_bytes(q30)
    for source in (str(path), path):
        report = analyze(source)
        assert report.source["name"] == "holiday.jpg"
        assert report.source["bytes"] == len(q30)
        assert report.jpeg == q30_report.jpeg
        assert report.grid == q30_report.grid
        assert report.compression == q30_report.compression
        assert report.quality == q30_report.quality
        assert report.evidence == q30_report.evidence


def test_path_source_with_explicit_name(tmp_path, q30):
    path = tmp_path / "holiday.jpg"
    path.write_bytes(q30)
    assert analyze(path, name="other.jpg").source["name"] == "other.jpg"


def test_loaded_image_source(q30, q30_report):
    image = load_image(q30, name="preloaded.jpg")
    report = analyze(image)
    assert report.source["name"] == "preloaded.jpg"
    assert report.jpeg == q30_report.jpeg
    assert report.compression == q30_report.compression
    assert report.quality == q30_report.quality


def test_missing_path_is_input_error(tmp_path):
    with pytest.raises(InputError) as info:
        analyze(tmp_path / "nope.jpg")
    assert info.value.status == 404


def test_limits_are_applied(q30):
    with pytest.raises(InputError) as info:
        analyze(q30, limits=Limits(max_bytes=1000))
    assert (info.value.code, info.value.status) == ("too_large", 413)
    with pytest.raises(InputError) as info:
        analyze(q30, limits=Limits(max_pixels=1000))
    assert (info.value.code, info.value.status) == ("too_many_pixels", 413)


@pytest.mark.parametrize("data,status", [(b"", 400), (b"hello, world\n" * 10, 415)])
def test_bad_bytes_are_input_errors(data, status):
    with pytest.raises(InputError) as info:
        analyze(data)
    assert info.value.status == status


def test_truncated_jpeg_is_input_error(q30):
    with pytest.raises(InputError) as info:
        analyze(q30[: len(q30) // 2])
    assert info.value.status == 422


# --------------------------------------------------------------------------- report


def test_report_types(q30_report):
    r = q30_report
    assert isinstance(r.grid, Grid) and isinstance(r.compression, Compression) and isinstance(r.quality, Quality)
    assert r.compression.verdict in ("none", "single", "double")
    assert sum(r.compression.probabilities.values()) == pytest.approx(1.0, abs=1e-3)
    assert set(r.compression.probabilities) == {"none", "single", "double"}
    assert 0.0 <= r.compression.confidence <= 1.0
    assert r.compression.confidence == pytest.approx(r.compression.probabilities[r.compression.verdict], abs=1e-3)
    assert 0 <= r.grid.dx < 8 and 0 <= r.grid.dy < 8
    assert {"load", "total"} <= set(r.timings_ms)
    assert all(isinstance(v, float) and v >= 0 for v in r.timings_ms.values())


def test_to_json_is_plain_and_round_trips(q30_report):
    data = q30_report.to_json()
    assert set(data) >= CONTRACT_KEYS
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data
    # The same object again (to_json does not hand out shared state that drifts).
    assert json.dumps(q30_report.to_json(), allow_nan=False) == text
    assert data["grid"] == {"dx": q30_report.grid.dx, "dy": q30_report.grid.dy,
                            "confidence": q30_report.grid.confidence}
    assert len(data["jpeg"]["quantization"]["luma"]) == 64


def test_to_json_of_png_round_trips(photo, encode):
    data = analyze(encode(photo, "PNG")).to_json()
    assert data["jpeg"] is None
    assert json.loads(json.dumps(data, allow_nan=False)) == data


def test_deterministic(q30):
    a, b = analyze(q30).to_json(), analyze(q30).to_json()
    a.pop("timings_ms"), b.pop("timings_ms")
    assert a == b


# --------------------------------------------------------------------------- pixels


def test_cropped_jpeg_grid_and_quality(photo, encode):
    rows, cols = 3, 5
    pixels = _decoded(encode(photo, quality=40))[rows:, cols:]
    report = analyze(encode(pixels, "PNG"))
    assert report.jpeg is None
    assert report.compression.verdict == "single"
    # features.py: cropping c pixels from the left gives dx = (8 - c % 8) % 8 (same for rows/dy).
    assert (report.grid.dx, report.grid.dy) == ((8 - cols % 8) % 8, (8 - rows % 8) % 8) == (3, 5)
    assert report.quality.estimate is not None and abs(report.quality.estimate - 40) <= 3


@pytest.mark.parametrize("first, last", [(30, 70), (50, 75)])
def test_last_quality_of_a_double_jpeg_is_the_lattice_it_sits_on(photo, encode, first, last):
    twice = encode(_decoded(encode(photo, quality=first)), quality=last)
    report = analyze(encode(_decoded(twice), "PNG"))
    assert report.compression.verdict != "none"
    assert report.quality.estimate == last
    assert report.quality.method == "classical:ijg-lattice-likelihood"


def test_a_lattice_at_or_below_the_primary_quality_is_the_first_table(photo):
    result = analyze_pixels(luma(photo))                        # no exact IJG table: the classical fit
    assert _last_quality(result, None, (60, 5.0)) == (60.0, "classical:ijg-lattice-likelihood")
    assert _last_quality(result, None, (60, 5.0), primary=60.0)[1] == "classical:quantization-steps+inverse-ijg-scaling"
    assert _last_quality(result, None, (60, 0.5))[1] != "classical:ijg-lattice-likelihood"   # too little evidence


def test_never_compressed_png(photo, encode):
    report = analyze(encode(photo, "PNG"))
    assert report.compression.verdict == "none"
    assert report.quality.estimate is None
    assert report.quality.primary_estimate is None


def test_tiny_png_does_not_crash(small_photo, encode):
    report = analyze(encode(small_photo[:7, :5], "PNG"))
    assert (report.source["width"], report.source["height"]) == (5, 7)
    assert report.compression.verdict == "none"
    assert report.quality.estimate is None
    json.dumps(report.to_json(), allow_nan=False)


def test_one_pixel_gif_does_not_crash(encode):
    report = analyze(encode(np.full((1, 1, 3), 128, np.uint8), "GIF"))
    assert report.source["format"] == "GIF"
    assert (report.source["width"], report.source["height"]) == (1, 1)
    assert report.compression.verdict == "none"
    assert report.quality.estimate is None
    json.dumps(report.to_json(), allow_nan=False)


def test_grayscale_jpeg(photo, encode):
    gray = np.asarray(Image.fromarray(photo).convert("L"))
    report = analyze(encode(gray, quality=60))
    assert report.source["mode"] == "L"
    assert report.jpeg["quality"] == 60
    assert report.jpeg["quantization"]["chroma"] is None
    # single vs double on this synthetic picture is the detector's accuracy, measured by
    # ai-research/evaluate_detector.py on photographs; here: compressed, at the right QF.
    assert report.compression.verdict != "none"
    assert report.evidence["classical"]["compression"]["verdict"] == "single"
    assert abs(report.quality.estimate - 60) <= 3


def test_fusion_lets_strong_classical_evidence_overrule_a_weak_learned_none():
    learned = {"none": 0.7, "single": 0.2, "double": 0.1}
    assert max(fuse(learned, 0.999), key=fuse(learned, 0.999).get) == "single"
    assert max(fuse(learned, 0.001), key=fuse(learned, 0.001).get) == "none"
    fused = fuse({"none": 0.01, "single": 0.09, "double": 0.9}, 0.3)
    assert fused["double"] > 0.8 and sum(fused.values()) == pytest.approx(1.0, abs=1e-3)


def test_histogram_evidence_shows_the_comb_of_quantized_frequencies(q30_report):
    hist = q30_report.evidence["histograms"]
    assert hist["bins"] == [-60, 60]
    assert len(hist["frequencies"]) == 6
    values = np.arange(-60, 61)
    for freq in hist["frequencies"]:
        counts = np.array(freq["counts"])
        assert counts.shape == (121,) and counts.sum() > 0
        assert freq["step"] >= 2
        on_comb = counts[values % freq["step"] == 0].sum() / counts.sum()
        assert on_comb > 0.75          # a smooth spread would put 1/step there


def test_maps_are_opt_in_and_describe_every_pixel(photo, encode):
    data = encode(photo[:203, :300], quality=40)
    plain = analyze(data)
    assert plain.maps is None and plain.pixel_maps is None and plain.to_json()["maps"] is None
    report = analyze(data, maps=True)
    assert report.pixel_maps.quality.shape == (203, 300) and report.pixel_maps.flag.shape == (203, 300)
    maps = report.to_json()["maps"]
    assert "pixel_maps" not in report.to_json()
    assert (maps["cell"], maps["dx"], maps["dy"]) == (8, report.grid.dx, report.grid.dy)
    assert (maps["rows"], maps["columns"]) == (26, 38)          # ceil(203 / 8), ceil(300 / 8)
    cells = _png_cells(maps["quality_png"])
    assert cells.shape == (26, 38)
    assert np.array_equal(cells, report.pixel_maps.quality[::8, ::8])
    assert "maps" in report.timings_ms
    json.dumps(report.to_json(), allow_nan=False)


def _png_cells(data_url: str) -> np.ndarray:
    """The (rows, columns) uint8 array of a ``data:image/png;base64,...`` grey map."""
    import base64

    with Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))) as im:
        assert im.mode == "L"
        return np.asarray(im)


def test_different_map_marks_the_cells_of_the_regions(photo, encode):
    pixels = photo.copy()
    pixels[96:256, 160:384] = _decoded(encode(photo, quality=20))[96:256, 160:384]
    report = analyze(encode(pixels[:381, :509], "PNG"), maps=True)   # odd size: partial cells
    maps = report.to_json()["maps"]
    different = _png_cells(maps["different_png"])
    dx, dy = maps["dx"], maps["dy"]
    assert different.shape == (maps["rows"], maps["columns"]) == (-(-(381 - dy) // 8), -(-(509 - dx) // 8))
    assert set(np.unique(different)) == {0, 255}
    blocks = report.pixel_maps.block_different                      # complete blocks only
    bh, bw = blocks.shape
    np.testing.assert_array_equal(different[:bh, :bw] == 255, blocks)
    np.testing.assert_array_equal(report.pixel_maps.different[dy + 3::8, dx + 3::8][:bh, :bw], blocks)  # centres
    # every marked cell lies in a region's box, and every region's box holds marked cells
    in_boxes = np.zeros_like(different, bool)
    for region in maps["regions"]:
        x, y, w, h = region["bbox"]
        left, top = (max(0, (v - d) // 8) for v, d in ((x, dx), (y, dy)))
        right, bottom = -(-(x + w - dx) // 8), -(-(y + h - dy) // 8)
        assert different[top:bottom, left:right].any()
        in_boxes[top:bottom, left:right] = True
    assert len(maps["regions"]) >= 1 and not (different.astype(bool) & ~in_boxes).any()


def test_verdict_asks_compressed_first_then_how_often():
    from dejpeg.pipeline import decide
    assert decide({"none": 0.49, "single": 0.3, "double": 0.21}) == "single"
    assert decide({"none": 0.49, "single": 0.2, "double": 0.31}) == "double"
    assert decide({"none": 0.5, "single": 0.3, "double": 0.2}) == "none"
