"""A JPEG carrying everything a phone camera leaves in a photo (GPS EXIF, XMP, IPTC, a comment),
and the assertions that a stored copy kept none of it and has the orientation applied."""

import io
import struct

from PIL import ExifTags, Image

CAMERA = "SpyCam-9000"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>48,51.48N</exif:GPSLatitude></x:xmpmeta>'
IPTC_TEXT = b"IPTC-CAPTION-HOME-ADDRESS"
COMMENT = b"taken-at-home"
# Stored 80 wide, 40 high; EXIF orientation 6 says "rotate 90 degrees clockwise to display".
RAW_SIZE, DISPLAYED_SIZE = (80, 40), (40, 80)


def _with_iptc(jpeg: bytes) -> bytes:
    """Insert a Photoshop APP13 segment (where IPTC lives) right after the SOI marker."""
    record = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(IPTC_TEXT)) + IPTC_TEXT
    payload = b"Photoshop 3.0\x00" + record
    segment = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def gps_jpeg() -> bytes:
    """A photo whose top half is red and bottom half blue as stored (left/right once displayed)."""
    image = Image.new("RGB", RAW_SIZE, (220, 20, 20))
    image.paste((20, 20, 220), (0, RAW_SIZE[1] // 2, RAW_SIZE[0], RAW_SIZE[1]))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = CAMERA
    exif[ExifTags.Base.DateTime] = "2024:05:01 12:34:56"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (48.0, 51.0, 29.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (2.0, 17.0, 40.0),
        }
    )
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95, exif=exif.tobytes(), xmp=XMP, comment=COMMENT)
    return _with_iptc(out.getvalue())


def assert_no_metadata_and_upright(stored: bytes, image_format: str = "JPEG") -> None:
    for marker in (CAMERA.encode(), b"Exif\x00\x00", b"adobe:ns:meta", b"Photoshop 3.0", IPTC_TEXT, COMMENT):
        assert marker not in stored, marker
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == image_format
        assert dict(image.getexif()) == {}
        assert "xmp" not in image.info and "photoshop" not in image.info and "comment" not in image.info
        assert image.size == DISPLAYED_SIZE
        rgb = image.convert("RGB")
        # Rotated clockwise: the stored top (red) is now on the right, the bottom (blue) on the left.
        left, right = rgb.getpixel((5, 40)), rgb.getpixel((34, 40))
    assert left[2] > 150 > left[0] and right[0] > 150 > right[2]
