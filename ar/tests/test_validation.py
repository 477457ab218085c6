"""Content validation of GLB and USDZ files (no database)."""

import hashlib
import io
import struct
import zipfile

import pytest

from ar.exceptions import InvalidModelError, ModelTooLargeError
from ar.tests.builders import JPEG_BYTES, USDA_TRIANGLE, make_glb, make_usdz, triangle_document
from ar.validation import inspect_model

MB = 1024 * 1024


def inspect(data, max_size=MB, **kwargs):
    return inspect_model(io.BytesIO(data), max_size=max_size, **kwargs)


def refused(data, code, max_size=MB, **kwargs):
    with pytest.raises(InvalidModelError) as caught:
        inspect(data, max_size=max_size, **kwargs)
    assert caught.value.code == code, caught.value.message
    assert caught.value.status == 400
    return caught.value.message


def patch_central_directory(data, *, file_size=None, compress_size=None):
    """Rewrite the sizes the first central-directory record declares."""
    data = bytearray(data)
    offset = data.index(b"PK\x01\x02")
    if compress_size is not None:
        struct.pack_into("<I", data, offset + 20, compress_size)
    if file_size is not None:
        struct.pack_into("<I", data, offset + 24, file_size)
    return bytes(data)


# --- GLB -------------------------------------------------------------------------------------


def test_a_valid_glb_yields_its_mesh_statistics_size_and_checksum():
    data = make_glb(meshes=2, triangles_per_mesh=4)

    info = inspect(data)

    assert info.format == "glb"
    assert info.mesh_count == 2
    assert info.vertex_count == 24  # 2 meshes x 4 triangles x 3 vertices
    assert info.size == len(data)
    assert info.checksum == hashlib.sha256(data).hexdigest()
    assert info.content_type == "model/gltf-binary"


def test_a_glb_without_bin_chunk_or_meshes_is_valid_with_zero_counts():
    document = {"asset": {"version": "2.0"}}
    json_chunk = b'{"asset":{"version":"2.0"}}'
    json_chunk += b" " * (-len(json_chunk) % 4)
    body = struct.pack("<II", len(json_chunk), 0x4E4F534A) + json_chunk
    data = struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body
    assert document["asset"]["version"] == "2.0"

    info = inspect(data)

    assert (info.mesh_count, info.vertex_count) == (0, 0)


def test_a_truncated_glb_is_refused():
    data = make_glb()
    message = refused(data[:-8], "invalid_glb")
    assert f"declares {len(data)} bytes but the file has {len(data) - 8}" in message


def test_a_glb_whose_length_field_lies_is_refused():
    data = make_glb(declared_length=len(make_glb()) + 4096)
    assert "declares" in refused(data, "invalid_glb")


def test_a_glb_header_cut_short_is_refused():
    assert "header" in refused(b"glTF\x02\x00", "invalid_glb")


def test_a_glb_of_version_one_is_refused():
    assert "version 1" in refused(make_glb(version=1), "invalid_glb")


def test_a_chunk_running_past_the_end_is_refused():
    data = bytearray(make_glb())
    struct.pack_into("<I", data, 12, 10_000)  # the JSON chunk's length
    assert "past the end" in refused(bytes(data), "invalid_glb")


def test_a_glb_whose_first_chunk_is_not_json_is_refused():
    data = bytearray(make_glb())
    struct.pack_into("<I", data, 16, 0x004E4942)  # JSON chunk relabelled BIN
    assert "first chunk" in refused(bytes(data), "invalid_glb")


def test_a_glb_with_broken_json_is_refused():
    document_bytes = b"{not json}  "
    body = struct.pack("<II", len(document_bytes), 0x4E4F534A) + document_bytes
    data = struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body
    assert "not valid UTF-8 JSON" in refused(data, "invalid_glb")


def test_a_position_pointing_at_a_missing_accessor_is_refused():
    document = triangle_document(bin_length=36)
    document["meshes"][0]["primitives"][0]["attributes"]["POSITION"] = 7
    assert "missing accessor" in refused(make_glb(document=document), "invalid_glb")


def test_a_buffer_longer_than_the_bin_chunk_is_refused():
    document = triangle_document(bin_length=4096)
    assert "BIN chunk" in refused(make_glb(document=document), "invalid_glb")


def test_a_glb_document_without_asset_version_2_is_refused():
    document = triangle_document(bin_length=36)
    document["asset"]["version"] = "1.0"
    assert "asset.version" in refused(make_glb(document=document), "invalid_glb")


# --- format detection and limits -----------------------------------------------------------------------


def test_a_renamed_jpeg_is_refused_by_content():
    assert "neither a GLB" in refused(JPEG_BYTES, "unsupported_model_format")


def test_an_empty_file_is_refused():
    refused(b"", "empty_model")


def test_a_model_over_the_size_limit_is_refused():
    data = make_glb(triangles_per_mesh=100)
    with pytest.raises(ModelTooLargeError) as caught:
        inspect(data, max_size=len(data) - 1)
    assert caught.value.code == "model_too_large"


def test_the_expected_format_must_match_the_content():
    assert "not USDZ" in refused(make_glb(), "model_format_mismatch", expected_format="usdz")


# --- USDZ --------------------------------------------------------------------------------------


def test_a_valid_usdz_is_accepted():
    data = make_usdz([("scene.usda", USDA_TRIANGLE), ("textures/wood.png", b"\x89PNG" + b"\x00" * 100)])

    info = inspect(data)

    assert info.format == "usdz"
    assert info.size == len(data)
    assert info.checksum == hashlib.sha256(data).hexdigest()
    assert (info.vertex_count, info.mesh_count) == (None, None)


def test_a_usdz_with_a_crate_layer_first_is_accepted():
    assert inspect(make_usdz([("model.usdc", b"PXR-USDC" + b"\x00" * 88)])).format == "usdz"


def test_a_deflated_zip_bomb_is_refused_as_compressed():
    bomb = make_usdz([("scene.usda", b"#usda 1.0\n" + b"\x00" * (20 * MB))], compression=zipfile.ZIP_DEFLATED)
    assert len(bomb) < 100_000

    message = refused(bomb, "invalid_usdz")

    assert "stored uncompressed" in message


def overlapping_entries_bomb(copies, payload_size):
    """A stored zip whose central directory lists one entry ``copies`` times, all at the same
    data: the declared total is ``copies * payload_size`` although the bytes exist once."""
    data = make_usdz([("scene.usda", USDA_TRIANGLE + b" " * payload_size)])
    eocd = data.rindex(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack_from("<II", data, eocd + 12)
    record = data[cd_offset : cd_offset + cd_size]
    tail = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, copies, copies, cd_size * copies, cd_offset, 0)
    return data[:cd_offset] + record * copies + tail


def test_overlapping_entries_adding_up_beyond_the_limit_are_refused():
    bomb = overlapping_entries_bomb(copies=50, payload_size=100_000)
    assert len(bomb) < 110_000

    with pytest.raises(ModelTooLargeError) as caught:
        inspect(bomb, max_size=MB)

    assert caught.value.code == "model_too_large"
    assert "unpacks to more than" in caught.value.message


def test_declared_sizes_far_beyond_the_archive_are_refused():
    data = patch_central_directory(make_usdz(), file_size=3_000_000_000, compress_size=3_000_000_000)
    with pytest.raises(InvalidModelError) as caught:
        inspect(data, max_size=4_000_000_000)
    assert caught.value.code == "invalid_usdz"
    assert "declares more data than the archive holds" in caught.value.message


def test_declared_sizes_that_disagree_are_refused():
    data = patch_central_directory(make_usdz(), file_size=10_000_000)
    assert "declared sizes" in refused(data, "invalid_usdz")


def test_a_usdz_whose_first_entry_is_not_usd_is_refused():
    data = make_usdz([("wood.png", b"\x89PNG" + b"\x00" * 10), ("scene.usda", USDA_TRIANGLE)])
    assert "first entry" in refused(data, "invalid_usdz")


def test_a_usda_entry_without_usda_content_is_refused():
    assert "does not hold" in refused(make_usdz([("scene.usda", b"hello world")]), "invalid_usdz")


def test_a_truncated_usdz_is_refused():
    assert "not a valid zip" in refused(make_usdz()[:-30], "invalid_usdz")


def test_a_corrupted_usdz_entry_fails_its_crc_check():
    data = bytearray(make_usdz())
    index = data.index(b"Triangle")
    data[index] = ord("X")
    assert "not a valid zip" in refused(bytes(data), "invalid_usdz")


def test_a_usdz_with_too_many_entries_is_refused():
    entries = [("scene.usda", USDA_TRIANGLE)] + [(f"e{index}.txt", b"") for index in range(1001)]
    assert "more than 1000 entries" in refused(make_usdz(entries), "invalid_usdz")
