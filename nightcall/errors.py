"""The exceptions nightcall raises, and the machine-readable codes its HTTP errors carry.

NightcallError
├── UserError                 the caller can fix it; answered with a 4xx
│   ├── ConfigError           a setting or flag has a bad value
│   ├── BadRequest            400: a request is malformed
│   │   └── DecodeError       a payload could not be decoded (protobuf, JSON, gzip)
│   ├── PayloadTooLarge       413: the body (or its decompressed form) is over the limit
│   ├── UnsupportedMediaType  415: a content type or encoding we do not speak
│   ├── NotFound              404: the thing asked for does not exist
│   └── AuthError             401: a key is missing or wrong
├── Overloaded                503: the write-ahead log backlog is full; carries retry_after_s
└── StoreError                the database refused or failed
"""

from __future__ import annotations

from typing import Literal

ErrorCode = Literal[
    "bad_request",
    "decode_error",
    "payload_too_large",
    "unsupported_media_type",
    "not_found",
    "unauthorized",
    "overloaded",
    "store_error",
    "config_error",
    "internal_error",
]


class NightcallError(Exception):
    """Base of every error nightcall raises on purpose."""

    code: ErrorCode = "internal_error"
    status: int = 500

    def __init__(self, message: str, *, location: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint


class UserError(NightcallError):
    """Something the caller can fix."""

    code: ErrorCode = "bad_request"
    status = 400


class ConfigError(UserError):
    """A setting has a value nightcall cannot use."""

    code: ErrorCode = "config_error"


class BadRequest(UserError):
    """A request is malformed."""


class DecodeError(BadRequest):
    """A payload could not be decoded."""

    code: ErrorCode = "decode_error"


class PayloadTooLarge(UserError):
    """A body is over the configured size limit."""

    code: ErrorCode = "payload_too_large"
    status = 413


class UnsupportedMediaType(UserError):
    """A content type or content encoding nightcall does not accept."""

    code: ErrorCode = "unsupported_media_type"
    status = 415


class NotFound(UserError):
    """The requested object does not exist."""

    code: ErrorCode = "not_found"
    status = 404


class AuthError(UserError):
    """A key is missing or does not match."""

    code: ErrorCode = "unauthorized"
    status = 401


class Overloaded(NightcallError):
    """The server cannot take more data now; retry after `retry_after_s`."""

    code: ErrorCode = "overloaded"
    status = 503

    def __init__(self, message: str, *, retry_after_s: int, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.retry_after_s = retry_after_s


class StoreError(NightcallError):
    """The store refused or failed an operation."""

    code: ErrorCode = "store_error"
    status = 500
