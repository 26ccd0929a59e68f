"""The demo tests' server: the real one, without a StatsD listener (the demo sends none)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import RunningServer


@pytest.fixture
def server(make_server: Callable[..., RunningServer]) -> RunningServer:
    """A real server on 127.0.0.1 that does not bind the shared StatsD port."""
    return make_server(statsd_port=0)
