"""The image pipeline against real files built in the tests."""

import io
import re
import time

import pytest
from django.core.files.storage import default_storage
from PIL import ExifTags, Image

from rma_portal import images
from rma_portal.images import cleaning as image_cleaning
from rma_portal.images import storage as image_storage
from tests import files


def _open_stored(name: str) -> Image.Image:
    with default_storage.open(name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
        return image


def _stored_names(tmp_path) -> list[str]:
    root = tmp_path / "media"
    if not root.exists():
        return []
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.mark.parametrize(
    ("make", "fmt", "content_type", "extension"),
    [
        (files.jpeg, "JPEG", "image/jpeg", "jpg"),
        (files.png, "PNG", "image/png", "png"),
        (files.webp, "WEBP", "image/webp", "webp"),
    ],
)
def test_valid_images_are_stored_under_random_names_with_a_thumbnail(make, fmt, content_type, extension):
    stored = images.store_images(images.clean_images([make(size=(900, 600))]))

    assert len(stored) == 1
    image = stored[0]
    assert image.content_type == content_type
    assert image.name.startswith("uploads/") and image.name.endswith(f".{extension}")
    assert image.original_name not in image.name
    reopened = _open_stored(image.name)
    assert reopened.format == fmt
    assert reopened.size == (900, 600)
    thumbnail = _open_stored(image.thumbnail_name)
    assert thumbnail.format == fmt
    assert max(thumbnail.size) == 320


def test_two_uploads_of_the_same_name_get_different_stored_names():
    stored = images.store_images(images.clean_images([files.jpeg("a.jpg"), files.jpeg("a.jpg")]))

    assert stored[0].name != stored[1].name


def test_the_type_comes_from_the_content_not_the_name():
    cleaned = images.clean_image(files.upload("photo.jpg", files.image_bytes("PNG"), "image/jpeg"))

    assert cleaned.format == "PNG"
    assert cleaned.extension == "png"


def test_a_text_file_named_jpg_is_refused_with_its_name():
    with pytest.raises(images.ImageRejected) as refused:
        images.clean_image(files.text_file("notes.jpg"))

    assert refused.value.file_name == "notes.jpg"
    assert str(refused.value) == "notes.jpg is not a JPG, PNG or WEBP image."


def test_an_html_page_with_a_png_appended_and_named_jpg_is_refused():
    with pytest.raises(images.ImageRejected) as refused:
        images.clean_image(files.html_png_polyglot("receipt.jpg"))

    assert refused.value.file_name == "receipt.jpg"


def test_a_png_carrying_an_html_page_in_a_text_chunk_is_refused():
    with pytest.raises(images.ImageRejected) as refused:
        images.clean_image(files.png_with_html_chunk("receipt.jpg"))

    assert "web page code" in refused.value.reason


def test_an_image_over_ten_megabytes_is_refused_before_it_is_decoded(monkeypatch):
    big = files.noisy_png("receipt-3.png", megabytes=11)
    opened = []
    monkeypatch.setattr(image_cleaning.Image, "open", lambda *args, **kwargs: opened.append(args))

    with pytest.raises(images.ImageRejected) as refused:
        images.clean_image(big)

    assert re.fullmatch(r"receipt-3\.png is 11(\.\d)? MB; the limit is 10 MB\.", str(refused.value))
    assert opened == []


def test_a_30000_by_30000_png_bomb_is_refused_quickly():
    bomb = files.png_bomb("bomb.png", side=30000)
    assert bomb.size < 1024 * 1024

    started = time.monotonic()
    with pytest.raises(images.ImageRejected) as refused:
        images.clean_image(bomb)

    assert time.monotonic() - started < 2
    assert str(refused.value) == "bomb.png has too many pixels; the limit is 50 megapixels."


def test_the_pixel_limit_is_a_setting(settings):
    settings.UPLOAD_MAX_PIXELS = 100 * 100

    with pytest.raises(images.ImageRejected, match="101 × 100 pixels; the limit is 0.01 megapixels"):
        images.clean_image(files.png(size=(101, 100)))
    assert images.clean_image(files.png(size=(100, 100))).width == 100


def test_pillows_own_bomb_guard_is_a_refusal_too(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)

    with pytest.raises(images.ImageRejected, match="too many pixels"):
        images.clean_image(files.png("warned.png", size=(40, 30)))


def test_an_animated_webp_is_refused():
    with pytest.raises(images.ImageRejected) as refused:
        images.clean_image(files.animated_webp("animated.webp"))

    assert str(refused.value) == "animated.webp is animated; please send a still image."


def test_a_truncated_jpeg_is_refused_as_damaged():
    content = files.image_bytes("JPEG", size=(400, 300))
    with pytest.raises(images.ImageRejected, match="damaged or incomplete"):
        images.clean_image(files.upload("cut.jpg", content[: len(content) // 2]))


def test_an_empty_file_is_refused():
    with pytest.raises(images.ImageRejected, match="is empty"):
        images.clean_image(files.upload("empty.jpg", b""))


def test_the_stored_copy_has_no_gps_or_other_exif_and_is_upright():
    original = files.jpeg_with_gps_and_rotation("label.jpg")
    assert b"SecretCam" in original.read()
    original.seek(0)

    [stored] = images.store_images(images.clean_images([original]))

    with default_storage.open(stored.name, "rb") as handle:
        raw = handle.read()
    for marker in (b"Exif", b"SecretCam", b"home of the customer"):
        assert marker not in raw
    image = _open_stored(stored.name)
    exif = image.getexif()
    assert len(exif) == 0
    assert exif.get_ifd(ExifTags.IFD.GPSInfo) == {}
    # 80x40 landscape, "rotate 90° clockwise": upright it is 40 wide, 80 tall, red on top.
    assert image.size == (40, 80)
    top = image.getpixel((20, 10))
    bottom = image.getpixel((20, 70))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60
    thumbnail = _open_stored(stored.thumbnail_name)
    assert thumbnail.size == (40, 80)
    assert len(thumbnail.getexif()) == 0


def test_a_png_keeps_its_transparency_but_loses_its_text_chunks():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Somebody private")
    buffer = io.BytesIO()
    Image.new("RGBA", (30, 30), (10, 20, 30, 0)).save(buffer, "PNG", pnginfo=info)

    cleaned = images.clean_image(files.upload("clear.png", buffer.getvalue(), "image/png"))

    assert b"Somebody private" not in cleaned.content
    reopened = Image.open(io.BytesIO(cleaned.content))
    assert reopened.mode == "RGBA"
    assert reopened.getpixel((0, 0))[3] == 0


def test_six_receipts_are_refused_as_a_batch(settings):
    uploads = [files.jpeg(f"receipt-{n}.jpg") for n in range(1, 7)]

    with pytest.raises(images.ImagesRejected) as refused:
        images.clean_images(uploads, max_count=settings.UPLOAD_MAX_RECEIPTS)

    assert refused.value.messages == ["You chose 6 images; at most 5 images can be sent."]


def test_a_batch_names_every_refused_file_and_stores_nothing(tmp_path):
    uploads = [
        files.jpeg("receipt-1.jpg"),
        files.text_file("receipt-2.jpg"),
        files.animated_webp("receipt-3.webp"),
    ]

    with pytest.raises(images.ImagesRejected) as refused:
        images.store_images(images.clean_images(uploads, max_count=5))

    assert refused.value.messages == [
        "receipt-2.jpg is not a JPG, PNG or WEBP image.",
        "receipt-3.webp is animated; please send a still image.",
    ]
    assert _stored_names(tmp_path) == []


def test_a_failure_while_storing_removes_the_files_already_stored(tmp_path, monkeypatch):
    cleaned = images.clean_images([files.jpeg("one.jpg"), files.png("two.png"), files.webp("three.webp")])
    calls = []

    class FailingStorage:
        """The real storage, except that the fourth save (the second thumbnail) fails."""

        def save(self, name, content, **kwargs):
            calls.append(name)
            if len(calls) == 4:
                raise OSError("disk full")
            return default_storage.save(name, content, **kwargs)

        def delete(self, name):
            default_storage.delete(name)

    monkeypatch.setattr(image_storage, "default_storage", FailingStorage())

    with pytest.raises(OSError, match="disk full"):
        images.store_images(cleaned)

    assert len(calls) == 4
    assert _stored_names(tmp_path) == []


def test_a_failing_block_inside_storing_removes_the_stored_files(tmp_path):
    cleaned = images.clean_images([files.jpeg("one.jpg")])

    with pytest.raises(RuntimeError), images.storing(cleaned) as stored:
        assert len(_stored_names(tmp_path)) == 2
        assert stored[0].original_name == "one.jpg"
        raise RuntimeError("the database write failed")

    assert _stored_names(tmp_path) == []


def test_a_succeeding_block_inside_storing_keeps_the_files(tmp_path):
    with images.storing(images.clean_images([files.jpeg("one.jpg")])) as stored:
        pass

    assert _stored_names(tmp_path) == sorted([stored[0].name, stored[0].thumbnail_name])


def test_a_long_or_pathlike_file_name_is_shortened_in_messages():
    with pytest.raises(images.ImageRejected) as refused:
        images.clean_image(files.text_file("../../" + "x" * 200 + ".jpg"))

    assert refused.value.file_name.endswith(".jpg")
    assert "/" not in refused.value.file_name
    assert len(refused.value.file_name) <= images.NAME_LIMIT


@pytest.mark.parametrize(
    ("size", "text"), [(10 * 1024 * 1024, "10 MB"), (int(12.4 * 1024 * 1024), "12.4 MB"), (1024, "0 MB")]
)
def test_sizes_are_written_as_people_read_them(size, text):
    assert images.megabytes(size) == text
