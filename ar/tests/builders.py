"""Real 3D model files built in memory for the tests: GLB (glTF 2.0 binary) and USDZ packages."""

import base64
import io
import json
import struct
import zipfile

JSON_CHUNK = 0x4E4F534A
BIN_CHUNK = 0x004E4942

USDA_TRIANGLE = b"""#usda 1.0
(
    defaultPrim = "Triangle"
    upAxis = "Y"
)

def Mesh "Triangle"
{
    int[] faceVertexCounts = [3]
    int[] faceVertexIndices = [0, 1, 2]
    point3f[] points = [(0, 0, 0), (1, 0, 0), (0, 1, 0)]
}
"""

JPEG_BYTES = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
)


def _pad(data, filler):
    return data + filler * (-len(data) % 4)


def triangle_document(*, meshes=1, triangles_per_mesh=1, bin_length):
    """A glTF JSON document with ``meshes`` meshes, each a triangle list over its own vertices."""
    vertices = triangles_per_mesh * 3
    accessors, mesh_list, views = [], [], []
    for index in range(meshes):
        views.append({"buffer": 0, "byteOffset": index * vertices * 12, "byteLength": vertices * 12})
        accessors.append(
            {
                "bufferView": index,
                "componentType": 5126,
                "count": vertices,
                "type": "VEC3",
                "min": [0, 0, 0],
                "max": [1, 1, 0],
            }
        )
        mesh_list.append({"primitives": [{"attributes": {"POSITION": index}, "mode": 4}]})
    return {
        "asset": {"version": "2.0", "generator": "designia-tests"},
        "scene": 0,
        "scenes": [{"nodes": list(range(meshes))}],
        "nodes": [{"mesh": index} for index in range(meshes)],
        "meshes": mesh_list,
        "accessors": accessors,
        "bufferViews": views,
        "buffers": [{"byteLength": bin_length}],
    }


def make_glb(*, meshes=1, triangles_per_mesh=1, document=None, declared_length=None, version=2):
    """A valid GLB (unless told otherwise): header, JSON chunk, BIN chunk of float32 positions."""
    triangle = struct.pack("<9f", 0, 0, 0, 1, 0, 0, 0, 1, 0)
    binary = triangle * triangles_per_mesh * meshes
    document = document or triangle_document(
        meshes=meshes, triangles_per_mesh=triangles_per_mesh, bin_length=len(binary)
    )
    json_chunk = _pad(json.dumps(document).encode(), b" ")
    bin_chunk = _pad(binary, b"\x00")
    body = struct.pack("<II", len(json_chunk), JSON_CHUNK) + json_chunk
    body += struct.pack("<II", len(bin_chunk), BIN_CHUNK) + bin_chunk
    length = 12 + len(body)
    header = struct.pack(
        "<4sII", b"glTF", version, declared_length if declared_length is not None else length
    )
    return header + body


def make_usdz(entries=None, *, compression=zipfile.ZIP_STORED):
    """A USDZ package: a stored zip whose first entry is the USDA layer (unless told otherwise)."""
    entries = entries if entries is not None else [("scene.usda", USDA_TRIANGLE)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def data_url(data, mime="model/gltf-binary"):
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"
