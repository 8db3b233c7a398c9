"""Uploads stay within a memory budget: sizes read before decoding, JPEGs decoded small,
one image at a time per process, and upload attempts limited per customer."""

import io
import threading

import pytest
from django.urls import reverse
from PIL import Image, ImageFile

from rma.cases.models import Case
from rma_portal import image_memory, images
from rma_portal.images import cleaning as image_cleaning
from tests import files
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _png_rgba(size) -> files.SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (10, 20, 30, 255)).save(buffer, "PNG")
    return files.upload("big.png", buffer.getvalue(), "image/png")


def test_an_image_over_the_memory_budget_is_refused_from_its_header_alone(settings, monkeypatch):
    settings.UPLOAD_DECODE_BUDGET = 1024 * 1024

    def no_decoding(self):
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(images.ImageRejected, match="the limit is 0.262 megapixels"):
        images.clean_image(_png_rgba((600, 600)))


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(settings, monkeypatch):
    settings.UPLOAD_MAX_SIDE = 500
    decoded_sizes = []
    original_load = ImageFile.ImageFile.load

    def recording_load(self):
        decoded_sizes.append(self.size)
        return original_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", recording_load)

    clean = images.clean_image(files.jpeg(size=(2000, 1500)))

    assert set(decoded_sizes) == {(500, 375)}  # libjpeg's 1/4 scale: the full size was never held
    assert (clean.width, clean.height) == (500, 375)


def test_stored_images_are_no_longer_than_the_longest_side_allowed(settings):
    settings.UPLOAD_MAX_SIDE = 300

    clean = images.clean_image(_png_rgba((1000, 700)))

    assert max(clean.width, clean.height) <= 300
    assert Image.open(io.BytesIO(clean.content)).size == (clean.width, clean.height)


def test_a_palette_image_is_shrunk_without_being_taken_for_a_damaged_one(settings):
    settings.UPLOAD_MAX_SIDE = 200
    buffer = io.BytesIO()
    Image.new("P", (900, 600), 3).save(buffer, "PNG")

    clean = images.clean_image(files.upload("palette.png", buffer.getvalue(), "image/png"))

    assert (clean.width, clean.height) == (180, 120)  # shrunk by a whole factor, 5


def test_images_wait_for_their_turn_and_are_refused_when_the_wait_is_too_long(settings):
    settings.UPLOAD_IMAGE_WAIT = 0
    assert image_memory.IMAGE_WORK.acquire(timeout=5)  # another request is decoding
    try:
        with pytest.raises(images.ImageRejected, match="many photos are arriving"):
            images.clean_image(files.jpeg())
    finally:
        image_memory.IMAGE_WORK.release()


def test_images_of_parallel_requests_are_decoded_one_at_a_time(monkeypatch):
    busy, most = [0], [0]
    lock = threading.Lock()
    original = image_cleaning._decode_within_budget

    def counting(name, raw):
        with lock:
            busy[0] += 1
            most[0] = max(most[0], busy[0])
        try:
            return original(name, raw)
        finally:
            with lock:
                busy[0] -= 1

    monkeypatch.setattr(image_cleaning, "_decode_within_budget", counting)
    uploads = [files.png(size=(800, 800)) for _ in range(8)]
    threads = [threading.Thread(target=images.clean_image, args=(upload,)) for upload in uploads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert most[0] == 1


def test_upload_attempts_are_limited_per_customer_and_typed_answers_are_kept(client, settings):
    settings.UPLOADS_PER_CUSTOMER_PER_HOUR = 2
    case = CaseFactory(status=Case.Status.AWAITING_INFO, refund=True)
    client.force_login(case.customer)
    url = reverse("rma:case_return", kwargs={"number": case.number})

    def attempt():
        return client.post(
            url,
            {
                "carrier": "UPS",
                "tracking_number": "not valid!",
                "label_photo": files.jpeg("label.jpg"),
                "postage_receipt": files.png("receipt.png"),
            },
        )

    assert attempt().status_code == 400
    assert attempt().status_code == 400
    refused = attempt()

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    page = refused.content.decode()
    assert "You have sent many files in the last hour" in page
    assert 'value="not valid!"' in page
