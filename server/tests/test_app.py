"""The Flask API: /api/health, /api/analyze, JSON errors, CORS, in-memory uploads."""

from __future__ import annotations

import io
import tempfile

import numpy as np
import pytest
import werkzeug.formparser
from flask import Flask, request
from PIL import Image

from dejpeg.app import MULTIPART_OVERHEAD, InMemoryRequest, create_app

ALLOWED_ORIGIN = "http://allowed.example"
SOURCE_KEYS = {"name", "format", "width", "height", "mode", "bytes"}
JPEG_KEYS = {"quality", "standard_tables", "table_fit_error", "subsampling", "progressive", "quantization"}


@pytest.fixture(scope="module")
def app():
    return create_app({"TESTING": True, "CORS_ORIGINS": [ALLOWED_ORIGIN], "CLIENT_DIST": "/nonexistent"})


@pytest.fixture()
def client(app):
    return app.test_client()


def post(client, data: bytes | None, filename: str = "upload.jpg", field: str = "image", **kwargs):
    form = {} if data is None else {field: (io.BytesIO(data), filename)}
    return client.post("/api/analyze", data=form, content_type="multipart/form-data", **kwargs)


def decoded(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB"))


def pil_bytes(im: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kwargs)
    return buf.getvalue()


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) >= {"code", "message"}
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert "Traceback" not in body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


@pytest.fixture(scope="module")
def q30(photo, encode) -> bytes:
    return encode(photo, quality=30)


# --------------------------------------------------------------------------- happy paths


def test_health(client):
    r = client.get("/api/health")
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "ok"
    assert isinstance(body["version"], str) and body["version"]


def test_analyze_jpeg_contract(client, q30):
    r = post(client, q30, "photo q30.jpg")
    assert r.status_code == 200, r.get_data(as_text=True)
    body = r.get_json()
    assert set(body) >= {"source", "jpeg", "grid", "compression", "quality", "evidence", "timings_ms"}

    src = body["source"]
    assert set(src) >= SOURCE_KEYS
    assert src["name"] == "photo q30.jpg"
    assert (src["format"], src["width"], src["height"], src["mode"]) == ("JPEG", 512, 384, "RGB")
    assert src["bytes"] == len(q30)

    jpeg = body["jpeg"]
    assert set(jpeg) >= JPEG_KEYS
    assert jpeg["quality"] == 30
    assert jpeg["standard_tables"] is True
    assert isinstance(jpeg["table_fit_error"], (int, float))
    assert isinstance(jpeg["subsampling"], str)
    assert jpeg["progressive"] is False
    luma = jpeg["quantization"]["luma"]
    assert len(luma) == 64 and all(isinstance(v, int) for v in luma)
    assert len(jpeg["quantization"]["chroma"]) == 64

    grid = body["grid"]
    assert set(grid) >= {"dx", "dy", "confidence"}
    assert (grid["dx"], grid["dy"]) == (0, 0)

    comp = body["compression"]
    assert set(comp) >= {"verdict", "confidence", "probabilities", "method"}
    assert set(comp["probabilities"]) == {"none", "single", "double"}
    assert comp["verdict"] == "single"
    assert isinstance(comp["method"], str) and comp["method"]

    quality = body["quality"]
    assert set(quality) >= {"estimate", "primary_estimate", "method"}
    assert abs(quality["estimate"] - 30) <= 3

    assert isinstance(body["evidence"], dict)
    assert isinstance(body["timings_ms"], dict) and body["timings_ms"]


def test_never_compressed_png(client, photo, encode):
    r = post(client, encode(photo, "PNG"), "photo.png")
    assert r.status_code == 200
    body = r.get_json()
    assert body["source"]["format"] == "PNG"
    assert body["jpeg"] is None
    assert body["compression"]["verdict"] == "none"
    assert body["quality"]["estimate"] is None


def test_png_of_decoded_jpeg_is_judged_from_pixels(client, photo, encode):
    png = encode(decoded(encode(photo, quality=50)), "PNG")
    r = post(client, png, "resaved.png")
    assert r.status_code == 200
    body = r.get_json()
    assert body["jpeg"] is None
    assert body["compression"]["verdict"] == "single"
    assert abs(body["quality"]["estimate"] - 50) <= 3


def test_deterministic(client, q30):
    a, b = post(client, q30).get_json(), post(client, q30).get_json()
    a.pop("timings_ms"), b.pop("timings_ms")
    assert a == b


# --------------------------------------------------------------------------- unusual but valid images


def test_cmyk_jpeg(client, small_photo):
    data = pil_bytes(Image.fromarray(small_photo).convert("CMYK"), "JPEG", quality=80)
    r = post(client, data, "cmyk.jpg")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["source"]["mode"] == "CMYK"


def test_16bit_png(client, small_photo, encode):
    gray16 = (np.asarray(Image.fromarray(small_photo).convert("L"), np.uint16) * 257).astype(np.uint16)
    r = post(client, encode(gray16, "PNG"), "deep.png")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["source"]["bit_depth"] == 16


def test_rgba_png(client, small_photo, encode):
    alpha = np.full(small_photo.shape[:2] + (1,), 200, np.uint8)
    r = post(client, encode(np.concatenate([small_photo, alpha], axis=2), "PNG"), "alpha.png")
    assert r.status_code == 200, r.get_data(as_text=True)
    body = r.get_json()
    assert body["source"]["mode"] == "RGBA"
    assert body["source"]["has_alpha"] is True


def test_palette_png(client, small_photo):
    data = pil_bytes(Image.fromarray(small_photo).convert("P", palette=Image.Palette.ADAPTIVE), "PNG")
    r = post(client, data, "palette.png")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["source"]["mode"] == "P"


def test_animated_gif(client, small_photo):
    frames = [Image.fromarray(small_photo), Image.fromarray(np.ascontiguousarray(small_photo[::-1]))]
    data = pil_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    r = post(client, data, "anim.gif")
    assert r.status_code == 200, r.get_data(as_text=True)
    body = r.get_json()
    assert body["source"]["format"] == "GIF"
    assert body["source"]["frames"] > 1


def test_exif_rotated_jpeg(client, make_photo):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    data = pil_bytes(Image.fromarray(make_photo(48, 80, 2)), "JPEG", quality=75, exif=exif.tobytes())
    r = post(client, data, "rotated.jpg")
    assert r.status_code == 200, r.get_data(as_text=True)
    src = r.get_json()["source"]
    assert (src["width"], src["height"]) == (48, 80)
    assert src["orientation"] == 6


# --------------------------------------------------------------------------- bad input


def test_missing_field(client, q30):
    assert_error(post(client, None), 400, "missing_image")
    assert_error(post(client, q30, field="file"), 400, "missing_image")


def test_not_multipart(client):
    assert_error(client.post("/api/analyze", data=b"\xff\xd8\xff", content_type="image/jpeg"), 400, "missing_image")


def test_empty_file(client):
    assert_error(post(client, b"", "empty.jpg"), 400, "empty")


def test_text_file(client):
    assert_error(post(client, b"just some text, not an image\n" * 20, "notes.jpg"), 415)


def test_truncated_jpeg(client, q30):
    assert_error(post(client, q30[: len(q30) // 2], "cut.jpg"), 422, "corrupt_image")


def test_upload_over_limit():
    client = create_app({"TESTING": True, "MAX_UPLOAD_BYTES": 10_000}).test_client()
    # Over the image limit but within the multipart allowance: rejected by the loader.
    assert_error(post(client, b"\xff\xd8\xff" + b"\0" * 20_000), 413, "too_large")
    # Over the whole request limit: rejected by Werkzeug before the body is parsed.
    assert_error(post(client, b"\xff\xd8\xff" + b"\0" * (10_000 + MULTIPART_OVERHEAD + 1)), 413, "too_large")


def test_too_many_pixels(photo, encode):
    client = create_app({"TESTING": True, "MAX_PIXELS": 10_000}).test_client()
    assert_error(post(client, encode(photo, quality=80)), 413, "too_many_pixels")


@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_api_route(client, method):
    assert_error(getattr(client, method)("/api/nope"), 404)


def test_wrong_method(client):
    assert_error(client.get("/api/analyze"), 405)
    assert_error(client.post("/api/health"), 405)


def test_page_or_pointer_at_root(client):
    r = client.get("/")
    assert r.status_code == 200
    assert b"/api/analyze" in r.data


# --------------------------------------------------------------------------- CORS


def test_cors_allowed_origin(client):
    r = client.get("/api/health", headers={"Origin": ALLOWED_ORIGIN})
    assert r.headers.get("Access-Control-Allow-Origin") == ALLOWED_ORIGIN


def test_cors_preflight(client):
    r = client.options("/api/analyze", headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST"})
    assert r.status_code < 400
    assert r.headers.get("Access-Control-Allow-Origin") == ALLOWED_ORIGIN


def test_cors_other_origin(client, q30):
    r = client.get("/api/health", headers={"Origin": "http://evil.example"})
    assert r.status_code == 200
    assert "Access-Control-Allow-Origin" not in r.headers
    r = post(client, q30, headers={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in r.headers


def test_default_cors_origins_are_the_dev_server():
    client = create_app({"TESTING": True}).test_client()
    r = client.get("/api/health", headers={"Origin": "http://localhost:5173"})
    assert r.headers.get("Access-Control-Allow-Origin") == "http://localhost:5173"


# --------------------------------------------------------------------------- uploads stay in memory


@pytest.fixture()
def no_temp_files(monkeypatch):
    """Make every way Werkzeug could spool an upload to disk raise."""

    def refuse(*args, **kwargs):
        raise AssertionError("an upload was about to be written to a temporary file")

    for module in (tempfile, werkzeug.formparser):
        for name in ("TemporaryFile", "SpooledTemporaryFile", "NamedTemporaryFile"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, refuse)


BIG = 2 * 1024 * 1024  # well past Werkzeug's 500 KiB in-memory threshold


def _stream_type_app(request_class=None) -> Flask:
    """An app whose test-only route reports the type of the uploaded file's stream."""
    app = create_app({"TESTING": True}) if request_class is None else Flask(__name__)
    if request_class is not None:
        app.request_class = request_class
        app.config["TESTING"] = True  # let the refused temp file propagate to the test

    @app.post("/test-only/stream-type")
    def stream_type():
        upload = request.files["image"]
        return {"type": type(upload.stream).__name__, "size": len(upload.read())}

    return app


def test_app_uses_in_memory_request_class(app):
    assert issubclass(app.request_class, InMemoryRequest)


def test_big_upload_stream_is_bytesio(no_temp_files):
    client = _stream_type_app().test_client()
    r = client.post("/test-only/stream-type", data={"image": (io.BytesIO(b"\0" * BIG), "big.bin")},
                    content_type="multipart/form-data")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json() == {"type": "BytesIO", "size": BIG}


def test_temp_file_guard_bites_for_a_plain_flask_app(no_temp_files):
    """Control: without InMemoryRequest the same upload would hit the (refused) temp file."""
    from flask.wrappers import Request

    client = _stream_type_app(Request).test_client()
    with pytest.raises(AssertionError, match="temporary file"):
        client.post("/test-only/stream-type", data={"image": (io.BytesIO(b"\0" * BIG), "big.bin")},
                    content_type="multipart/form-data")


def test_big_image_analysed_without_temp_files(no_temp_files):
    noise = np.random.default_rng(0).integers(0, 256, size=(480, 1600, 3), dtype=np.uint8)
    png = pil_bytes(Image.fromarray(noise), "PNG", compress_level=0)
    assert len(png) > BIG
    r = post(create_app({"TESTING": True}).test_client(), png, "noise.png")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["source"]["bytes"] == len(png)


def test_analyze_maps_on_request_only(client, q30):
    plain = post(client, q30).get_json()
    assert plain["maps"] is None
    with_maps = post(client, q30, query_string={"maps": "1"}).get_json()
    assert with_maps["maps"]["quality_png"].startswith("data:image/png;base64,")
    assert (with_maps["maps"]["rows"], with_maps["maps"]["columns"]) == (48, 64)
    assert with_maps["compression"] == plain["compression"]
