"""OTLP AnyValue → the string values of a ClickHouse `Map(String, String)`, as the exporter does.

Strings stay as they are, numbers print as decimals, booleans as true/false, bytes as base64, and
arrays and key-value lists as compact JSON.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

import orjson
from opentelemetry.proto.common.v1.common_pb2 import InstrumentationScope, KeyValue
from opentelemetry.proto.resource.v1.resource_pb2 import Resource

JsonValue = Any  # a value orjson can encode: str, int, float, bool, None, list, dict


def any_value_to_python(value: Any) -> JsonValue:
    """An AnyValue message as a plain Python value."""
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [any_value_to_python(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: any_value_to_python(kv.value) for kv in value.kvlist_value.values}
    if kind == "bytes_value":
        return base64.b64encode(value.bytes_value).decode()
    return getattr(value, kind)


def any_value_to_str(value: Any) -> str:
    """An AnyValue message as the string stored in an attribute map or a log body."""
    kind = value.WhichOneof("value")
    if kind == "string_value":
        return str(value.string_value)
    if kind is None:
        return ""
    if kind == "bool_value":
        return "true" if value.bool_value else "false"
    if kind == "int_value":
        return str(value.int_value)
    if kind == "double_value":
        return repr(value.double_value)
    if kind == "bytes_value":
        return base64.b64encode(value.bytes_value).decode()
    return orjson.dumps(any_value_to_python(value)).decode()


def attributes_to_dict(key_values: Iterable[Any]) -> dict[str, str]:
    """A repeated KeyValue field as a string map; a non-empty string value takes the fast path."""
    return {kv.key: kv.value.string_value or any_value_to_str(kv.value) for kv in key_values}


def key_value_pair(raw: bytes) -> tuple[str, str]:
    """A serialized KeyValue as its (key, stored string) pair, as `attributes_to_dict` gives."""
    kv = KeyValue.FromString(raw)
    return kv.key, kv.value.string_value or any_value_to_str(kv.value)


def resource_attributes(raw: bytes) -> dict[str, str]:
    """A serialized Resource's attributes as a string map."""
    return attributes_to_dict(Resource.FromString(raw).attributes)


def scope_name_version(raw: bytes) -> tuple[str, str]:
    """A serialized InstrumentationScope's name and version."""
    scope = InstrumentationScope.FromString(raw)
    return scope.name, scope.version
