"""The Flask face: ``create_app(config)`` builds the JSON API (and serves the page).

Routes:
    GET  /api/health   -> {"status": "ok", "version"}
    POST /api/analyze  multipart field ``image`` (``maps=1`` adds the QF maps) -> the report JSON
    POST /api/restore  multipart ``image``, optional ``model``, ``quality`` -> image/png
    GET  /api/models   -> {"default", "models": [{"name", "available", "default", "gray_specialist", "card"}]}
Errors are always ``{"error": {"code", "message"}}`` with a 4xx status (5xx only for a
bug, without a traceback). Uploads are read into memory, never written to disk.
"""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request, send_file, send_from_directory
from flask.wrappers import Request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException
from werkzeug.routing import PathConverter

from . import __version__
from .errors import InputError
from .load import Limits, human_bytes
from .models.restorer import DEFAULT_MODEL, MODELS
from .pipeline import analyze
from .restore import restore

log = logging.getLogger(__name__)

MULTIPART_OVERHEAD = 64 * 1024
"""Bytes allowed on top of the image limit for multipart boundaries and headers."""

RESTORE_HEADERS = ("X-Dejpeg-Model", "X-Dejpeg-Quality", "X-Dejpeg-Quality-Source", "X-Dejpeg-Ensemble")
"""What /api/restore did (model, QF, where the QF came from, 1/0 self-ensemble); exposed to CORS clients."""

DEFAULT_CONFIG: dict[str, Any] = {
    "MAX_UPLOAD_BYTES": 50 * 1024 * 1024,
    "MAX_PIXELS": 100_000_000,
    "CORS_ORIGINS": ["http://localhost:5173", "http://127.0.0.1:5173"],
    "CLIENT_DIST": os.environ.get("DEJPEG_CLIENT_DIST",
                                  str(Path(__file__).resolve().parents[2] / "client" / "dist")),
}


class InMemoryRequest(Request):
    """A request whose uploaded files stay in memory (Werkzeug spools big ones to disk)."""

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return io.BytesIO()


def form_switch(name: str) -> bool:
    """A yes/no option of the request, from the form or the query string ("1", "true", "yes")."""
    return (request.form.get(name) or request.args.get(name) or "").lower() in ("1", "true", "yes")


def error_response(code: str, message: str, status: int):
    """The one error shape of the API."""
    return jsonify({"error": {"code": code, "message": message}}), status


api = Blueprint("api", __name__, url_prefix="/api")


@api.get("/health")
def health():
    """Liveness probe."""
    return jsonify({"status": "ok", "version": __version__})


@api.post("/analyze")
def analyze_upload():
    """Analyse the uploaded ``image``; answers the report JSON."""
    upload = request.files.get("image")
    if upload is None:
        return error_response("missing_image", "Send the image as a multipart form field named 'image'.", 400)
    data = upload.read()
    report = analyze(data, name=upload.filename or "", limits=current_app.config["DEJPEG_LIMITS"],
                     maps=form_switch("maps"))
    return jsonify(report.to_json())


@api.post("/restore")
def restore_upload():
    """Restore the uploaded ``image`` (form fields ``model``, ``quality``, ``ensemble`` optional); answers a PNG.

    Headers tell what was done: X-Dejpeg-Model, X-Dejpeg-Quality, X-Dejpeg-Quality-Source, X-Dejpeg-Ensemble.
    """
    upload = request.files.get("image")
    if upload is None:
        return error_response("missing_image", "Send the image as a multipart form field named 'image'.", 400)
    result = restore(upload.read(), quality=request.form.get("quality"),
                     model=request.form.get("model") or DEFAULT_MODEL, ensemble=form_switch("ensemble"),
                     limits=current_app.config["DEJPEG_LIMITS"])
    response = send_file(io.BytesIO(result.to_png()), mimetype="image/png", download_name="restored.png")
    values = (result.model, f"{result.quality:g}", result.quality_source, str(int(result.ensemble)))
    response.headers.update(dict(zip(RESTORE_HEADERS, values)))
    return response


@api.get("/models")
def models():
    """The restoration models and their cards (Markdown)."""
    return jsonify({"default": DEFAULT_MODEL,
                    "models": [{"name": m.name, "available": m.available, "default": m.name == DEFAULT_MODEL,
                                "gray_specialist": m.gray_available, "card": m.card_text()} for m in MODELS.values()]})


def _register_errors(app: Flask) -> None:
    @app.errorhandler(InputError)
    def input_error(err: InputError):
        return error_response(err.code, err.message, err.status)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if err.code == 413:
            limit = human_bytes(app.config["MAX_UPLOAD_BYTES"])
            return error_response("too_large", f"The upload is larger than the {limit} limit.", 413)
        code = (err.name or "error").lower().replace(" ", "_")
        return error_response(code, err.description or err.name, err.code or 500)

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        log.exception("unexpected error")
        return error_response("internal_error", "Something went wrong on our side; the error was logged.", 500)


class PagePath(PathConverter):
    """A path of the page, i.e. anything not under /api (which keeps its own 404/405)."""

    regex = r"(?!api(?:/|$))[^/].*?"


def _register_page(app: Flask) -> None:
    """Serve the built React page at / when it exists, else a short pointer to the API."""
    dist = Path(app.config["CLIENT_DIST"])
    app.url_map.converters["page"] = PagePath

    @app.get("/")
    @app.get("/<page:path>")
    def page(path: str = "index.html"):
        if (dist / path).is_file():
            return send_from_directory(dist, path)
        if (dist / "index.html").is_file():
            return send_from_directory(dist, "index.html")
        return ("<!doctype html><title>deJPEG</title><h1>deJPEG API</h1>"
                "<p>POST an image as multipart field <code>image</code> to <code>/api/analyze</code>; "
                "<code>GET /api/health</code>. The web page is built into <code>client/dist</code>.</p>")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides :data:`DEFAULT_CONFIG` (and any Flask key)."""
    app = Flask(__name__)
    app.request_class = InMemoryRequest
    app.config.update(DEFAULT_CONFIG)
    app.config.update(config or {})
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_BYTES"] + MULTIPART_OVERHEAD
    app.config["DEJPEG_LIMITS"] = Limits(max_bytes=app.config["MAX_UPLOAD_BYTES"],
                                         max_pixels=app.config["MAX_PIXELS"])
    CORS(app, resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"], "expose_headers": RESTORE_HEADERS}})
    app.register_blueprint(api)
    _register_errors(app)
    _register_page(app)
    return app
