"""Validation of 3D model files by content, never by name or declared type.

``inspect_model(file, max_size=...)`` recognises GLB (glTF 2.0 binary, for Android and the web)
and USDZ (for iOS AR Quick Look) from their first bytes, validates them fully and returns a
``ModelInfo`` with the size, the SHA-256 checksum and, for GLB, the mesh and vertex counts.
"""

import hashlib
import os
from dataclasses import dataclass

from ar.exceptions import InvalidModelError, ModelTooLargeError
from ar.validation.glb import MAGIC as GLB_MAGIC
from ar.validation.glb import inspect_glb
from ar.validation.usdz import inspect_usdz

GLB = "glb"
USDZ = "usdz"
ZIP_MAGIC = b"PK\x03\x04"
CONTENT_TYPES = {GLB: "model/gltf-binary", USDZ: "model/vnd.usdz+zip"}
HASH_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class ModelInfo:
    format: str
    size: int
    checksum: str
    vertex_count: int | None = None
    mesh_count: int | None = None

    @property
    def content_type(self):
        return CONTENT_TYPES[self.format]


def file_size(file):
    file.seek(0, os.SEEK_END)
    size = file.tell()
    file.seek(0)
    return size


def sha256_of(file):
    file.seek(0)
    digest = hashlib.sha256()
    while block := file.read(HASH_BLOCK):
        digest.update(block)
    file.seek(0)
    return digest.hexdigest()


def detect_format(file):
    file.seek(0)
    head = file.read(4)
    file.seek(0)
    if head == GLB_MAGIC:
        return GLB
    if head == ZIP_MAGIC:
        return USDZ
    raise InvalidModelError(
        "The file is neither a GLB (binary glTF 2.0) nor a USDZ model.", code="unsupported_model_format"
    )


def inspect_model(file, *, max_size, expected_format=None):
    """Validate a seekable binary file holding a GLB or USDZ model; raise ``InvalidModelError``."""
    size = file_size(file)
    if size == 0:
        raise InvalidModelError("The model file is empty.", code="empty_model")
    if size > max_size:
        raise ModelTooLargeError(f"The model is larger than {max_size} bytes.")
    model_format = detect_format(file)
    if expected_format and model_format != expected_format:
        raise InvalidModelError(
            f"The file is a {model_format.upper()} model, not {expected_format.upper()}.",
            code="model_format_mismatch",
        )
    if model_format == GLB:
        stats = inspect_glb(file, size)
        info = ModelInfo(GLB, size, sha256_of(file), stats.vertex_count, stats.mesh_count)
    else:
        inspect_usdz(file, size, max_size=max_size)
        info = ModelInfo(USDZ, size, sha256_of(file))
    file.seek(0)
    return info
