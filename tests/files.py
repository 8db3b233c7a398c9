"""Real image files built in the tests: valid ones, hostile ones, and awkward ones."""

import io
import os
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def image_bytes(fmt: str = "JPEG", size=(64, 48), color=(200, 30, 30), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt, **save)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def jpeg(name: str = "photo.jpg", **kwargs) -> SimpleUploadedFile:
    return upload(name, image_bytes("JPEG", **kwargs), "image/jpeg")


def png(name: str = "screenshot.png", **kwargs) -> SimpleUploadedFile:
    return upload(name, image_bytes("PNG", **kwargs), "image/png")


def webp(name: str = "receipt.webp", **kwargs) -> SimpleUploadedFile:
    return upload(name, image_bytes("WEBP", **kwargs), "image/webp")


def text_file(name: str = "notes.jpg") -> SimpleUploadedFile:
    return upload(name, b"Just some text, not a picture at all.\n" * 20, "image/jpeg")


def html_png_polyglot(name: str = "receipt.jpg") -> SimpleUploadedFile:
    """A page a browser renders as HTML, followed by a complete PNG."""
    page = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n"
    return upload(name, page + image_bytes("PNG"), "image/jpeg")


def png_with_html_chunk(name: str = "receipt.jpg") -> SimpleUploadedFile:
    """A valid PNG (it opens as an image) whose text chunk carries an HTML page."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "<html><script>alert(1)</script></html>")
    return upload(name, image_bytes("PNG", pnginfo=info), "image/jpeg")


def noisy_png(name: str = "receipt-3.png", megabytes: float = 11.0) -> SimpleUploadedFile:
    """A real PNG of random pixels (incompressible), a little over ``megabytes``."""
    pixels = int(megabytes * 1024 * 1024 / 3) + 4096
    width = 2048
    height = pixels // width + 1
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return upload(name, buffer.getvalue(), "image/png")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bomb(name: str = "bomb.png", side: int = 30000) -> SimpleUploadedFile:
    """A valid 1-bit ``side`` x ``side`` PNG: ~100 KB on disk, 900 megapixels decoded."""
    row = b"\x00" + b"\x00" * ((side + 7) // 8)  # filter byte + one bit per pixel
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    content = (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
        + _png_chunk(b"IDAT", body)
        + _png_chunk(b"IEND", b"")
    )
    return upload(name, content, "image/png")


def animated_webp(name: str = "animated.webp") -> SimpleUploadedFile:
    frames = [Image.new("RGB", (32, 32), color) for color in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "WEBP", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return upload(name, buffer.getvalue(), "image/webp")


def jpeg_with_gps_and_rotation(name: str = "label.jpg") -> SimpleUploadedFile:
    """A 80x40 landscape JPEG, red left half, blue right half, tagged "rotate 90° clockwise"
    and carrying a GPS position, a camera make and a comment."""
    image = Image.new("RGB", (80, 40), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 40, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "SecretCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 39.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95, exif=exif.tobytes(), comment=b"home of the customer")
    return upload(name, buffer.getvalue(), "image/jpeg")
