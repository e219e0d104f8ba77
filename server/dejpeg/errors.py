"""The one exception type for bad user input.

Every face of deJPEG (HTTP API, CLI, Python) reports a bad upload the same
way: an :class:`InputError` carrying a machine-readable ``code``, a plain
``message`` for a person, and the HTTP ``status`` the API answers with.

Status conventions:
    400  bad request: empty upload, missing file, not a file
    413  too large: more bytes or more pixels than the configured limits
    415  not an image, or an image format deJPEG does not read
    422  an image that starts out valid but cannot be decoded (truncated, corrupt)
"""

from __future__ import annotations

__all__ = ["InputError"]


class InputError(Exception):
    """Bad input from the user; ``str(err)`` is the user-facing message.

    Attributes:
        code: snake_case machine-readable reason, e.g. ``"too_large"``.
        message: one line of plain words for a user.
        status: HTTP status code the API uses for this error.
    """

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = int(status)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"InputError(code={self.code!r}, message={self.message!r}, status={self.status})"

    def to_json(self) -> dict[str, object]:
        """``{"code", "message", "status"}`` for API error bodies."""
        return {"code": self.code, "message": self.message, "status": self.status}
