"""The report of the sample hour (tests/cli/report/sample.py), for every report test."""

from __future__ import annotations

import pytest

from nightcall.cli.report import Report, build_report
from tests.cli.report.sample import GENERATED_NS, sample_inputs


@pytest.fixture
def report() -> Report:
    """The report of the sample hour, generated five minutes after it."""
    return build_report(sample_inputs(), generated_ns=GENERATED_NS)
