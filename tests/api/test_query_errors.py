"""The query API refuses bad parameters with the one JSON error shape, naming the parameter."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient


@pytest.mark.parametrize(
    ("path", "location", "code"),
    [
        ("/api/v1/services?start=yesterday", "start", "bad_request"),
        ("/api/v1/traces?start=-1h&end=-2h", "end", "bad_request"),
        ("/api/v1/traces?limit=0", "query.limit", "bad_request"),
        ("/api/v1/traces?limit=10001", "query.limit", "bad_request"),
        ("/api/v1/traces?attr=novalue", "attr", "bad_request"),
        ("/api/v1/traces?cursor=abc", "cursor", "bad_request"),
        ("/api/v1/logs?severity=loud", "severity", "bad_request"),
        ("/api/v1/traces/not-hex", "path.trace_id", "bad_request"),
        ("/api/v1/traces/0123456789abcdef0123456789abcdef", "trace_id", "not_found"),
        ("/api/v1/metrics/nope/series", "name", "not_found"),
    ],
)
def test_bad_parameters_get_a_located_error(
    app_client: TestClient, path: str, location: str, code: str
) -> None:
    """Each bad parameter is answered 4xx with its code, a message, its location and a hint."""
    response = app_client.get(path)
    assert 400 <= response.status_code < 500
    error = response.json()["error"]
    assert error["code"] == code
    assert error["location"] == location
    assert error["message"]
    assert error["hint"]


def test_unknown_path_uses_the_error_shape(app_client: TestClient) -> None:
    """An unknown path is a 404 in the same error shape, pointing at the API docs."""
    response = app_client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_openapi_documents_every_query_route(app_client: TestClient) -> None:
    """The OpenAPI document lists the query and ingest routes."""
    paths = app_client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/services", "/api/v1/traces", "/api/v1/traces/{trace_id}",
                 "/api/v1/metrics", "/api/v1/metrics/{name}/series", "/api/v1/logs",
                 "/v1/traces", "/v1/metrics", "/v1/logs"):  # fmt: skip
        assert path in paths
