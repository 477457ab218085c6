"""GLB (binary glTF 2.0) validation by content, and the mesh statistics kept as metadata.

Layout (glTF 2.0 spec, "GLB File Format Specification"): a 12-byte header ``magic "glTF",
version, length`` then 4-byte-aligned chunks ``length, type, data``. The first chunk is the
JSON document, an optional second one holds the binary buffer (BIN); chunks must tile the
file exactly up to the declared length.
"""

import json
import struct
from dataclasses import dataclass

from ar.exceptions import InvalidModelError

MAGIC = b"glTF"
HEADER = struct.Struct("<4sII")
CHUNK_HEADER = struct.Struct("<II")
JSON_CHUNK = 0x4E4F534A
BIN_CHUNK = 0x004E4942
MAX_CHUNKS = 64


@dataclass(frozen=True)
class Chunk:
    type: int
    offset: int  # of the chunk's data
    length: int


@dataclass(frozen=True)
class GLBStats:
    mesh_count: int
    vertex_count: int


def invalid(message):
    return InvalidModelError(message, code="invalid_glb")


def inspect_glb(file, size):
    """Validate the GLB in ``file`` (seekable, ``size`` bytes) and return its mesh statistics."""
    file.seek(0)
    header = file.read(HEADER.size)
    if len(header) < HEADER.size:
        raise invalid("The GLB file is truncated: its 12-byte header is incomplete.")
    magic, version, declared_length = HEADER.unpack(header)
    if magic != MAGIC:
        raise invalid("The file does not start with the GLB magic 'glTF'.")
    if version != 2:
        raise invalid(f"Only GLB version 2 (glTF 2.0) is supported; this file is version {version}.")
    if declared_length != size:
        raise invalid(
            f"The GLB header declares {declared_length} bytes but the file has {size}: "
            "it is truncated or corrupt."
        )
    chunks = _read_chunks(file, size)
    document = _read_json(file, chunks[0])
    bin_length = chunks[1].length if len(chunks) > 1 and chunks[1].type == BIN_CHUNK else None
    return _statistics(document, bin_length)


def _read_chunks(file, size):
    chunks, offset = [], HEADER.size
    while offset < size:
        if len(chunks) == MAX_CHUNKS:
            raise invalid(f"The GLB file has more than {MAX_CHUNKS} chunks.")
        file.seek(offset)
        raw = file.read(CHUNK_HEADER.size)
        if len(raw) < CHUNK_HEADER.size:
            raise invalid("The GLB file ends inside a chunk header.")
        length, chunk_type = CHUNK_HEADER.unpack(raw)
        start = offset + CHUNK_HEADER.size
        if length % 4:
            raise invalid("A GLB chunk is not aligned to 4 bytes.")
        if start + length > size:
            raise invalid("A GLB chunk runs past the end of the file.")
        chunks.append(Chunk(type=chunk_type, offset=start, length=length))
        offset = start + length
    if not chunks or chunks[0].type != JSON_CHUNK or chunks[0].length == 0:
        raise invalid("The first chunk of a GLB file must be a non-empty JSON chunk.")
    bin_positions = [index for index, chunk in enumerate(chunks) if chunk.type == BIN_CHUNK]
    if bin_positions not in ([], [1]):
        raise invalid("A GLB file may hold one BIN chunk, right after the JSON chunk.")
    if any(chunk.type == JSON_CHUNK for chunk in chunks[1:]):
        raise invalid("A GLB file must hold exactly one JSON chunk.")
    return chunks


def _read_json(file, chunk):
    file.seek(chunk.offset)
    raw = file.read(chunk.length)
    try:
        document = json.loads(raw.decode("utf-8").rstrip(" \x00"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise invalid("The JSON chunk of the GLB file is not valid UTF-8 JSON.") from exc
    if not isinstance(document, dict):
        raise invalid("The JSON chunk of the GLB file must be a glTF object.")
    asset = document.get("asset")
    if not isinstance(asset, dict) or not str(asset.get("version", "")).startswith("2."):
        raise invalid("The glTF document must declare asset.version 2.x.")
    return document


def _list(document, key):
    value = document.get(key, [])
    if not isinstance(value, list):
        raise invalid(f"glTF '{key}' must be an array.")
    return value


def _is_index(value, items):
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(items)


def _statistics(document, bin_length):
    meshes, accessors = _list(document, "meshes"), _list(document, "accessors")
    vertex_count = 0
    for mesh in meshes:
        primitives = mesh.get("primitives") if isinstance(mesh, dict) else None
        if not isinstance(primitives, list) or not primitives:
            raise invalid("Every glTF mesh needs a non-empty 'primitives' array.")
        for primitive in primitives:
            attributes = primitive.get("attributes") if isinstance(primitive, dict) else None
            if not isinstance(attributes, dict):
                raise invalid("Every glTF mesh primitive needs an 'attributes' object.")
            if "POSITION" in attributes:
                vertex_count += _accessor_count(accessors, attributes["POSITION"])
    _check_glb_buffer(_list(document, "buffers"), bin_length)
    return GLBStats(mesh_count=len(meshes), vertex_count=vertex_count)


def _accessor_count(accessors, index):
    if not _is_index(index, accessors) or not isinstance(accessors[index], dict):
        raise invalid("A mesh primitive's POSITION refers to a missing accessor.")
    count = accessors[index].get("count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise invalid("A glTF accessor needs a positive integer 'count'.")
    return count


def _check_glb_buffer(buffers, bin_length):
    """The first buffer without a ``uri`` is the BIN chunk, which must be at least that long."""
    if not buffers or not isinstance(buffers[0], dict) or "uri" in buffers[0]:
        return
    byte_length = buffers[0].get("byteLength")
    if not isinstance(byte_length, int) or isinstance(byte_length, bool) or byte_length < 1:
        raise invalid("The glTF buffer needs a positive integer 'byteLength'.")
    if bin_length is None or byte_length > bin_length:
        raise invalid("The glTF buffer is longer than the GLB file's BIN chunk.")
