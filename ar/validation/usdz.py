"""USDZ validation by content: an uncompressed zip whose first entry is a USD layer.

USDZ packages are zip archives whose entries are all *stored* (no compression), which is also
what defuses zip bombs here: a compressed entry is refused outright, stored entries must
declare the same compressed and uncompressed size, fit inside the archive and add up to no
more than the size limit, and every entry is read once so its CRC and real length are checked.
"""

import zipfile

from ar.exceptions import InvalidModelError, ModelTooLargeError

MAX_ENTRIES = 1000
USD_EXTENSIONS = (".usd", ".usda", ".usdc")
USDA_MAGIC = b"#usda"
USDC_MAGIC = b"PXR-USDC"
READ_BLOCK = 1024 * 1024


def invalid(message):
    return InvalidModelError(message, code="invalid_usdz")


def inspect_usdz(file, size, *, max_size):
    """Validate the USDZ package in ``file`` (seekable, ``size`` bytes); raise when unacceptable."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            _check_entries(entries, size, max_size)
            first = min(entries, key=lambda entry: entry.header_offset)
            _check_first_entry(archive, first)
            for entry in entries:
                _read_entry(archive, entry)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
    ) as exc:
        raise invalid("The USDZ file is not a valid zip archive.") from exc


def _check_entries(entries, size, max_size):
    if not entries:
        raise invalid("The USDZ archive is empty.")
    if len(entries) > MAX_ENTRIES:
        raise invalid(f"The USDZ archive has more than {MAX_ENTRIES} entries.")
    total = 0
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise invalid("USDZ entries must not be encrypted.")
        if entry.compress_type != zipfile.ZIP_STORED:
            raise invalid(f"USDZ entries must be stored uncompressed; '{entry.filename}' is compressed.")
        if entry.file_size != entry.compress_size:
            raise invalid(f"The declared sizes of '{entry.filename}' disagree.")
        if entry.header_offset + entry.compress_size > size:
            raise invalid(f"'{entry.filename}' declares more data than the archive holds.")
        total += entry.file_size
        if total > max_size:
            raise ModelTooLargeError(
                f"The USDZ archive unpacks to more than {max_size} bytes.", code="model_too_large"
            )


def _check_first_entry(archive, first):
    name = first.filename.lower()
    if first.is_dir() or not name.endswith(USD_EXTENSIONS):
        raise invalid("The first entry of a USDZ archive must be a .usd, .usda or .usdc file.")
    with archive.open(first) as stream:
        head = stream.read(len(USDC_MAGIC))
    is_usda, is_usdc = head.startswith(USDA_MAGIC), head.startswith(USDC_MAGIC)
    if (name.endswith(".usda") and not is_usda) or (name.endswith(".usdc") and not is_usdc):
        raise invalid(f"'{first.filename}' does not hold the USD content its name announces.")
    if not (is_usda or is_usdc):
        raise invalid(f"'{first.filename}' is neither a USDA (text) nor a USDC (crate) layer.")


def _read_entry(archive, entry):
    """Read the whole entry: zipfile checks its CRC-32 and that all declared bytes are there."""
    remaining = entry.file_size
    with archive.open(entry) as stream:
        while block := stream.read(READ_BLOCK):
            remaining -= len(block)
            if remaining < 0:
                raise invalid(f"'{entry.filename}' holds more data than it declares.")
    if remaining:
        raise invalid(f"'{entry.filename}' is truncated.")
