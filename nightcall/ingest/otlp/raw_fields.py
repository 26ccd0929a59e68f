"""Wire-compatible twins of OTLP messages in which chosen sub-messages stay raw bytes.

Reading a sub-message from a upb message builds a Python wrapper (~200 ns each, and a span has
a dozen: attributes, their values, status, ...), which made per-span Python the ceiling of
ingest. A twin declares those fields `bytes` instead: the C parser hands them over as bytes, and
the flatteners turn each distinct byte string into its stored value once, through a bounded
cache (`ConvertingCache`), since attribute key-values, resources and scopes repeat across spans
and requests. The twin is built from the official descriptor at import, so field numbers and
every other field stay exactly the official ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import FileDescriptor
from opentelemetry.proto.trace.v1 import trace_pb2

_TWIN_PACKAGE = "nightcall.raw"
_Value = TypeVar("_Value")


def _twin_file(
    file: FileDescriptor, raw_fields: dict[str, set[str]]
) -> descriptor_pb2.FileDescriptorProto:
    """A copy of `file` in its own package, with `raw_fields` (message → fields) as bytes."""
    proto = descriptor_pb2.FileDescriptorProto()
    file.CopyToProto(proto)
    old = "." + proto.package + "."
    new = f".{_TWIN_PACKAGE}.{proto.package}."
    proto.name = f"{_TWIN_PACKAGE}/{proto.name}"
    proto.package = new[1:-1]
    del proto.dependency[:]  # every field of another file's type becomes bytes below

    def rewrite(messages: Iterable[descriptor_pb2.DescriptorProto]) -> None:
        for message in messages:
            for field in message.field:
                if field.name in raw_fields.get(message.name, ()):
                    field.type = descriptor_pb2.FieldDescriptorProto.TYPE_BYTES
                    field.ClearField("type_name")
                elif field.type_name.startswith(old):
                    field.type_name = new + field.type_name.removeprefix(old)
                elif field.type_name:
                    raise TypeError(f"{message.name}.{field.name} must be listed as raw")
            rewrite(message.nested_type)

    rewrite(proto.message_type)
    return proto


def _twin_class(file: FileDescriptor, raw_fields: dict[str, set[str]], top: str) -> Any:
    pool = descriptor_pool.DescriptorPool()
    proto = _twin_file(file, raw_fields)
    pool.Add(proto)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{proto.package}.{top}"))


# TracesData has the wire format of ExportTraceServiceRequest.
RawTracesData: Any = _twin_class(
    trace_pb2.DESCRIPTOR,
    {
        "ResourceSpans": {"resource"},
        "ScopeSpans": {"scope"},
        "Span": {"attributes", "status"},
        "Event": {"attributes"},
        "Link": {"attributes"},
    },
    "TracesData",
)


class ConvertingCache(dict[bytes, _Value], Generic[_Value]):
    """Raw bytes → their converted value, converting each distinct value once.

    Look-ups go through `dict.__getitem__` (C), so a hit costs no Python frame; `__missing__`
    converts a new value. The cache is cleared when full, which bounds its memory whatever the
    cardinality of the data (high-cardinality values then cost one conversion each, as before).
    """

    def __init__(self, convert: Callable[[bytes], _Value], *, max_entries: int):
        super().__init__()
        self.convert = convert
        self.max_entries = max_entries

    def __missing__(self, raw: bytes) -> _Value:
        value = self.convert(raw)
        if len(self) >= self.max_entries:
            self.clear()
        self[raw] = value
        return value
