"""The learned restorer: dejpeg.restore(), tiling, formats, /api/restore, /api/models, `dejpeg restore`."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys

import cv2
import numpy as np
import pytest
from PIL import Image

from dejpeg import InputError, restore
from dejpeg.app import create_app
from dejpeg.cli import main
from dejpeg.models import BFLOAT16
from dejpeg.models.restorer import BASE, DEFAULT_MODEL, MODELS, Layout, build_restorer, deepened, shared_restorer
from dejpeg.restore import FALLBACK_QUALITY, restore_pixels

pytestmark = pytest.mark.skipif(not MODELS[DEFAULT_MODEL].available, reason="restorer weights not shipped")


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0 ** 2 / mse))


def decode(data: bytes, mode: str | None = None) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im if mode is None else im.convert(mode))


@pytest.fixture(scope="module")
def clean(make_photo) -> np.ndarray:
    """(192, 256, 3) uint8 synthetic photo."""
    return make_photo(192, 256, 3)


@pytest.fixture(scope="module")
def q10(clean, encode) -> bytes:
    return encode(clean, quality=10, subsampling=2)


def test_restoring_a_q10_jpeg_raises_psnr(clean, q10):
    jpeg = decode(q10)
    result = restore(q10, quality=10)
    assert result.pixels.shape == clean.shape and result.pixels.dtype == np.uint8
    assert psnr(result.pixels, clean) > psnr(jpeg, clean) + 0.3
    assert (result.model, result.quality, result.quality_source) == (DEFAULT_MODEL, 10.0, "given")


def test_gray_stays_gray_and_improves(clean, encode):
    gray = np.asarray(Image.fromarray(clean).convert("L"))
    data = encode(gray, quality=10)
    result = restore(data, quality=10)
    assert result.pixels.shape == gray.shape
    assert psnr(result.pixels, gray) > psnr(decode(data), gray) + 0.3
    assert decode(result.to_png()).shape == gray.shape
    with Image.open(io.BytesIO(result.to_png())) as im:
        assert im.mode == "L"


def test_tiles_match_a_single_pass_without_seams(clean, q10):
    jpeg = decode(q10)
    whole = restore_pixels(jpeg, 10).astype(np.int16)
    tiled = restore_pixels(jpeg, 10, tile=128, overlap=64).astype(np.int16)   # 2 x 3 tiles
    diff = np.abs(whole - tiled)
    assert diff.max() <= 3 and diff.mean() < 0.1
    # A seam would be a row or a column (tile edge) that deviates more than the rest.
    assert diff.mean(axis=(0, 2)).max() < 0.5 and diff.mean(axis=(1, 2)).max() < 0.5


def test_ensemble_is_equivariant_to_rotations_and_mirrors(clean, q10):
    jpeg = decode(q10)                                        # 192 x 256: one tile, no padding
    ensemble = restore_pixels(jpeg, 10, ensemble=True)
    assert psnr(ensemble, clean) > psnr(jpeg, clean) + 0.3
    mirrored = restore_pixels(np.ascontiguousarray(jpeg[:, ::-1]), 10, ensemble=True)[:, ::-1]
    turned = np.rot90(restore_pixels(np.ascontiguousarray(np.rot90(jpeg)), 10, ensemble=True), -1)
    for other in (mirrored, turned):                          # the same 8 views, summed in another order
        assert np.abs(ensemble.astype(np.int16) - other).max() <= 1
    single = restore_pixels(np.ascontiguousarray(jpeg[:, ::-1]), 10)[:, ::-1]
    assert np.abs(restore_pixels(jpeg, 10).astype(np.int16) - single).max() > 1   # one pass is not


def test_alpha_is_untouched_and_size_kept(clean, encode):
    rgb = decode(encode(clean, quality=20))
    alpha = np.tile(np.linspace(0, 255, rgb.shape[1]).astype(np.uint8), (rgb.shape[0], 1))
    alpha[::7] = 13
    data = encode(np.dstack([rgb, alpha]), "PNG")
    result = restore(data, quality=20)
    np.testing.assert_array_equal(result.alpha, alpha)
    with Image.open(io.BytesIO(result.to_png())) as im:
        assert im.mode == "RGBA" and im.size == (rgb.shape[1], rgb.shape[0])
        np.testing.assert_array_equal(np.asarray(im)[..., 3], alpha)


@pytest.mark.parametrize("shape", [(1, 1), (17, 300), (37, 53, 3), (130, 9, 3)])
def test_any_size_comes_back_the_same_size(make_photo, shape):
    pixels = make_photo(max(shape[0], 16), max(shape[1], 16), 5)[:shape[0], :shape[1]]
    pixels = pixels if len(shape) == 3 else pixels[..., 1].copy()
    assert restore_pixels(pixels, 30, tile=64, overlap=16).shape == pixels.shape


def test_sixteen_bit_sources_come_back_sixteen_bit(clean, encode):
    gray16 = np.asarray(Image.fromarray(clean).convert("L")).astype(np.uint16) * 257
    result = restore(encode(gray16, "PNG"), quality=40)
    assert result.pixels.dtype == np.uint16 and result.pixels.shape == gray16.shape
    with Image.open(io.BytesIO(result.to_png())) as im:
        assert im.mode.startswith("I") and np.asarray(im).max() > 255
    _, rgb16 = cv2.imencode(".png", clean[..., ::-1].astype(np.uint16) * 257)
    result = restore(rgb16.tobytes(), quality=40)
    assert result.pixels.dtype == np.uint16 and result.pixels.shape == clean.shape
    back = cv2.imdecode(np.frombuffer(result.to_png(), np.uint8), cv2.IMREAD_UNCHANGED)
    assert back.dtype == np.uint16 and back.shape == clean.shape
    assert np.abs(back[..., ::-1].astype(np.float64) / 257 - clean).mean() < 3


def test_deterministic(q10):
    a, b = restore(q10, quality=10), restore(q10, quality=10)
    np.testing.assert_array_equal(a.pixels, b.pixels)


def test_quality_comes_from_the_analysis_else_a_gentle_default(clean, encode):
    result = restore(encode(clean, quality=30))
    assert result.quality_source == "analysis" and abs(result.quality - 30) <= 3
    result = restore(encode(clean, "PNG"))
    assert (result.quality_source, result.quality) == ("default", FALLBACK_QUALITY)
    assert restore(encode(clean, "PNG"), quality=100).quality == 95.0


@pytest.mark.parametrize("kwargs, code", [({"quality": "high"}, "bad_quality"), ({"quality": 0}, "bad_quality"),
                                          ({"model": "nope"}, "unknown_model")])
def test_bad_options_are_input_errors(q10, kwargs, code):
    with pytest.raises(InputError) as err:
        restore(q10, **kwargs)
    assert err.value.code == code and err.value.status == 400


def test_gray_images_go_through_the_gray_specialist(clean, encode, tmp_path, monkeypatch):
    identity = tmp_path / "identity.weights.h5"
    build_restorer().save_weights(identity)           # zero-initialised output conv: restores nothing
    monkeypatch.setitem(MODELS, DEFAULT_MODEL, dataclasses.replace(MODELS[DEFAULT_MODEL], gray_weights=identity,
                                                                   gray_layout=BASE))
    shared_restorer.cache_clear()
    try:
        gray = decode(encode(np.asarray(Image.fromarray(clean).convert("L")), quality=10))
        colour = decode(encode(clean, quality=10, subsampling=2))
        np.testing.assert_array_equal(restore_pixels(gray, 10), gray)
        assert psnr(restore_pixels(colour, 10), clean) > psnr(colour, clean) + 0.3
    finally:
        shared_restorer.cache_clear()


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_is_under_a_million_parameters_and_loads(name):
    info = MODELS[name]
    network = build_restorer(info.widths)
    assert network.count_params() < 1_000_000
    network.load_weights(info.weights)   # the shipped weights fit the declared architecture
    if info.gray_available:
        specialist = build_restorer(info.widths, info.gray_layout)
        assert specialist.count_params() < 1_000_000
        specialist.load_weights(info.gray_weights)


def test_a_deepened_restorer_computes_what_the_shallow_one_did():
    shallow = build_restorer((8, 16, 32))
    for layer in shallow.layers:     # nonzero everywhere, so that every layer's weights count
        layer.set_weights([np.full(w.shape, 0.01, np.float32) for w in layer.get_weights()])
    deeper = deepened(shallow, Layout(blocks=3, quarter_blocks=2), (8, 16, 32))
    assert len(deeper.weights) == len(shallow.weights) + 16
    batch = {"image": np.random.default_rng(0).random((2, 32, 48, 3), np.float32),
             "quality": np.array([[0.1], [0.6]], np.float32)}
    np.testing.assert_allclose(np.asarray(deeper(batch)), np.asarray(shallow(batch)), atol=1e-6)
    assert not np.allclose(np.asarray(shallow(batch)), batch["image"])


def test_a_bfloat16_restorer_keeps_a_float32_residual():
    trained = build_restorer((8, 16, 32))
    for layer in trained.layers:
        layer.set_weights([np.full(w.shape, 0.01, np.float32) for w in layer.get_weights()])
    served = build_restorer((8, 16, 32), precision=BFLOAT16)
    served.set_weights(trained.get_weights())
    batch = {"image": np.random.default_rng(0).random((1, 32, 48, 3), np.float32), "quality": np.array([[0.3]], np.float32)}
    out, reference = np.asarray(served(batch)), np.asarray(trained(batch))
    assert out.dtype == np.float32
    assert 0 < np.abs(out - reference).max() < 0.02       # bfloat16 arithmetic, close to the float32 network


@pytest.fixture(scope="module")
def client():
    return create_app({"TESTING": True, "CLIENT_DIST": "/nonexistent", "CORS_ORIGINS": ["http://ok.example"]}).test_client()


def test_api_restore_returns_a_png(client, clean, q10):
    response = client.post("/api/restore", data={"image": (io.BytesIO(q10), "x.jpg"), "quality": "10"},
                           content_type="multipart/form-data", headers={"Origin": "http://ok.example"})
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert decode(response.data).shape == clean.shape
    assert response.headers["X-Dejpeg-Quality"] == "10"
    assert response.headers["X-Dejpeg-Quality-Source"] == "given"
    assert response.headers["X-Dejpeg-Model"] == DEFAULT_MODEL
    assert response.headers["X-Dejpeg-Ensemble"] == "0"
    assert "X-Dejpeg-Quality" in response.headers["Access-Control-Expose-Headers"]
    response = client.post("/api/restore", data={"image": (io.BytesIO(q10), "x.jpg"), "quality": "10",
                                                 "ensemble": "1"}, content_type="multipart/form-data")
    assert response.status_code == 200 and response.headers["X-Dejpeg-Ensemble"] == "1"
    np.testing.assert_array_equal(decode(response.data), restore(q10, quality=10, ensemble=True).pixels)


@pytest.mark.parametrize("form, status, code", [
    ({}, 400, "missing_image"),
    ({"quality": "eleven"}, 400, "bad_quality"),
    ({"model": "nope"}, 400, "unknown_model"),
    ({"image": (io.BytesIO(b"hello, not an image" * 10), "x.txt")}, 415, "not_an_image"),
])
def test_api_restore_errors(client, q10, form, status, code):
    form = {"image": (io.BytesIO(q10), "x.jpg"), **form} if form and "image" not in form else form
    response = client.post("/api/restore", data=form, content_type="multipart/form-data")
    assert response.status_code == status and response.is_json
    assert response.get_json()["error"]["code"] == code


def test_api_models_lists_cards(client):
    body = client.get("/api/models").get_json()
    assert body["default"] == DEFAULT_MODEL
    names = {m["name"]: m for m in body["models"]}
    assert set(names) == set(MODELS)
    assert names[DEFAULT_MODEL]["available"] and DEFAULT_MODEL in names[DEFAULT_MODEL]["card"]
    assert names[DEFAULT_MODEL]["gray_specialist"] == MODELS[DEFAULT_MODEL].gray_available


def test_cli_restore_writes_a_png(tmp_path, clean, q10, capsys):
    src, out = tmp_path / "in.jpg", tmp_path / "out.png"
    src.write_bytes(q10)
    assert main(["restore", str(src), str(out), "--quality", "10"]) == 0
    assert decode(out.read_bytes()).shape == clean.shape
    assert "quality 10 (given)" in capsys.readouterr().out
    assert main(["restore", str(src), str(out), "--quality", "10", "--ensemble"]) == 0
    assert "8-orientation ensemble" in capsys.readouterr().out
    np.testing.assert_array_equal(decode(out.read_bytes()), restore(q10, quality=10, ensemble=True).pixels)


@pytest.mark.parametrize("content, extra", [(b"not an image" * 20, []), (None, ["--quality", "500"]),
                                            (None, ["--model", "nope"])])
def test_cli_restore_errors_are_one_line(tmp_path, q10, capsys, content, extra):
    src, out = tmp_path / "in.jpg", tmp_path / "out.png"
    src.write_bytes(q10 if content is None else content)
    assert main(["restore", str(src), str(out), *extra]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{src}: error: ") and "\n" not in err and not out.exists()


def test_importing_dejpeg_does_not_import_tensorflow():
    code = "import sys, dejpeg; sys.exit('tensorflow' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_the_served_precision_is_bfloat16_only_where_the_cpu_has_it(monkeypatch, tmp_path):
    from dejpeg import models

    monkeypatch.setattr(models, "Path", lambda _: tmp_path / "cpuinfo")
    try:
        for flags, setting, expected in (("fpu avx512f amx_bf16", None, BFLOAT16), ("fpu avx2 fma", None, "float32"),
                                         ("fpu amx_bf16", "float32", "float32"), ("fpu", BFLOAT16, BFLOAT16)):
            (tmp_path / "cpuinfo").write_text(f"processor : 0\nflags : {flags}\n")
            if setting is None:
                monkeypatch.delenv("DEJPEG_PRECISION", raising=False)
            else:
                monkeypatch.setenv("DEJPEG_PRECISION", setting)
            models.inference_precision.cache_clear()
            assert models.inference_precision() == expected
        (tmp_path / "cpuinfo").write_text("processor : 0\nflags : fpu amx_bf16\n")
        monkeypatch.setenv("DEJPEG_PRECISION", "bf16")                  # a typo: warned, the CPU decides
        models.inference_precision.cache_clear()
        with pytest.warns(UserWarning, match="DEJPEG_PRECISION='bf16' ignored"):
            assert models.inference_precision() == BFLOAT16
    finally:
        models.inference_precision.cache_clear()
