"""Entry point of the live demo's child processes: `python -m nightcall.demo ROLE CONFIG-JSON`.

Only the live runner starts these; people run `nightcall demo`.
"""

from __future__ import annotations

import sys

from nightcall.demo.mobile import run_mobile
from nightcall.demo.process import ProcessConfig
from nightcall.demo.service import run_service

ROLES = {"service": run_service, "mobile": run_mobile}

if len(sys.argv) != 3 or sys.argv[1] not in ROLES:
    sys.exit(
        "usage: python -m nightcall.demo service|mobile CONFIG-JSON (started by `nightcall demo`)"
    )
sys.exit(ROLES[sys.argv[1]](ProcessConfig.from_json(sys.argv[2])))
