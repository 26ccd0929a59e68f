"""The error codes and docs/errors.md stay in step."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from nightcall.errors import ErrorCode

DOC = Path(__file__).parents[1] / "docs" / "errors.md"


def test_every_error_code_is_documented_and_every_documented_code_exists() -> None:
    """The table in docs/errors.md lists exactly the codes of `ErrorCode`."""
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", DOC.read_text(), flags=re.MULTILINE))
    assert documented == set(get_args(ErrorCode))
