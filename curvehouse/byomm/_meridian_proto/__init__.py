"""Google Meridian's MMM proto schema (``mmm.v1.Mmm``) as message classes, with protobuf alone.

The definitions come from ``descriptors.py``, vendored from mmm-proto-schema 1.6.0 (Apache-2.0,
The Meridian Authors; see its header), because that package requires TensorFlow. They are loaded
into a descriptor pool of our own, not protobuf's default pool: the default pool refuses a second,
different definition of the same .proto file, so a private pool never clashes with an installed
mmm-proto-schema of another version.

``MeridianModelHeader`` declares the two leading fields of Meridian's own kernel message
(``mmm.v1.model.meridian.MeridianModel``: ``model_id = 1``, ``model_version = 2``), whose full
definition needs TensorFlow's protos; parsing the packed kernel with it skips every other field.
"""

from __future__ import annotations

import base64

from google.protobuf import any_pb2, descriptor_pb2, descriptor_pool, message_factory

from curvehouse.byomm._meridian_proto.descriptors import DESCRIPTOR_SET

__all__ = ["KPI_TYPES", "MERIDIAN_MODEL_TYPE_URL", "MeridianModelHeader", "Mmm"]

MERIDIAN_MODEL_TYPE_URL = "type.googleapis.com/mmm.v1.model.meridian.MeridianModel"
_HEADER_PACKAGE = "curvehouse.byomm.meridian"


def _header_file() -> descriptor_pb2.FileDescriptorProto:
    string = descriptor_pb2.FieldDescriptorProto.TYPE_STRING
    return descriptor_pb2.FileDescriptorProto(
        name="curvehouse/byomm/meridian_model_header.proto",
        package=_HEADER_PACKAGE,
        syntax="proto3",
        message_type=[
            descriptor_pb2.DescriptorProto(
                name="MeridianModelHeader",
                field=[
                    descriptor_pb2.FieldDescriptorProto(name="model_id", number=1, type=string),
                    descriptor_pb2.FieldDescriptorProto(name="model_version", number=2, type=string),
                ],
            )
        ],
    )


def _pool() -> descriptor_pool.DescriptorPool:
    """The schema's files after protobuf's well-known types they import, then the header message."""
    pool = descriptor_pool.DescriptorPool()
    for runtime in (descriptor_pb2, any_pb2):
        pool.AddSerializedFile(runtime.DESCRIPTOR.serialized_pb)
    for file in descriptor_pb2.FileDescriptorSet.FromString(base64.b64decode("".join(DESCRIPTOR_SET))).file:
        pool.AddSerializedFile(file.SerializeToString())
    pool.AddSerializedFile(_header_file().SerializeToString())
    return pool


_POOL = _pool()
Mmm = message_factory.GetMessageClass(_POOL.FindMessageTypeByName("mmm.v1.Mmm"))
MeridianModelHeader = message_factory.GetMessageClass(
    _POOL.FindMessageTypeByName(f"{_HEADER_PACKAGE}.MeridianModelHeader")
)
KPI_TYPES: dict[str, int] = {
    value.name: value.number for value in _POOL.FindEnumTypeByName("mmm.v1.common.KpiType").values
}
