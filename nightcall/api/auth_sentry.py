"""Sentry key checks: a DSN public key must be a live sentry key of the project it posts to.

When no key of any kind exists, nightcall is open (it listens on loopback only, see
`nightcall serve`), and so are the Sentry endpoints: any key, or none, is accepted.
"""

from __future__ import annotations

import hashlib
import hmac

from nightcall.api.keys import KeyKind, KeyRing
from nightcall.errors import AuthError

_HINT = (
    "create a key with `nightcall keys create --kind sentry --project ID` and use the DSN it "
    "prints in sentry_sdk.init(dsn=...)"
)


def require_sentry_key(keyring: KeyRing, project_id: str, public_key: str | None) -> None:
    """Raise `AuthError` unless keys are off or `public_key` is a sentry key of `project_id`."""
    records = keyring.records()
    if not records:
        return
    if not public_key:
        raise AuthError(
            f"Sentry project {project_id} needs a DSN key and the request carries none",
            location="X-Sentry-Auth",
            hint=_HINT,
        )
    digest = hashlib.sha256(public_key.encode()).hexdigest()
    matches = [
        r for r in records if r.kind is KeyKind.SENTRY and hmac.compare_digest(r.digest, digest)
    ]
    if not matches:
        raise AuthError(
            f"the DSN key {public_key[:6]}... sent to Sentry project {project_id} is not a live "
            "sentry key",
            location="X-Sentry-Auth",
            hint=_HINT + "; check `nightcall keys list`, it may have been revoked",
        )
    if not any(r.project == project_id for r in matches):
        raise AuthError(
            f"the DSN key {public_key[:6]}... belongs to Sentry project {matches[0].project}, "
            f"not {project_id}",
            location="project_id",
            hint=f"use the DSN ending in /{matches[0].project}, or create a key for {project_id}",
        )
