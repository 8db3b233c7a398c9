"""Contact support with screenshots: the image pipeline, private storage, the team's email,
the admin's thumbnails, the sender's acknowledgement, and nothing lost on a refusal."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from PIL import Image

from rma.support import tasks
from rma.support.models import SupportRequest, SupportScreenshot
from tests import files
from tests.factories import AgentFactory, CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/support/"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.SUPPORT_REQUESTS_PER_IP_PER_HOUR = 50
    settings.SUPPORT_COOLDOWN = 0
    settings.WARRANTY_TEAM_EMAIL = "team@example.com"
    settings.SITE_URL = "https://rma.example.com"


def post(client, *, screenshots=(), **fields):
    data = {
        "email": "visitor@example.com",
        "subject": "Upload fails",
        "message": "See the error.",
        "website": "",
    }
    data.update(fields)
    if screenshots:
        data["screenshots"] = list(screenshots)
    return client.post(URL, data)


def gps_jpeg(name="error.jpg"):
    """A JPEG carrying EXIF with a GPS block, as phones write them."""
    exif = Image.Exif()
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPSLatitude
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (10, 120, 200)).save(buffer, "JPEG", exif=exif.tobytes())
    return files.upload(name, buffer.getvalue(), "image/jpeg")


def test_a_request_with_a_screenshot_reaches_the_team_privately_and_the_sender_is_acknowledged(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, screenshots=[gps_jpeg("error.jpg")])

    assert response.status_code == 302
    request = SupportRequest.objects.get()
    [shot] = request.screenshots.all()
    assert shot.original_name == "error.jpg"
    assert (shot.width, shot.height) == (120, 80)
    # Stored under a random name, re-encoded without its metadata.
    assert "error" not in shot.image.name and shot.image.name.startswith("support/")
    with default_storage.open(shot.image.name, "rb") as stored:
        assert not Image.open(stored).getexif()

    team, acknowledgement = mail.outbox
    assert team.to == ["team@example.com"]
    assert team.subject == f"Support request {request.reference}: Upload fails"
    file_url = f"https://rma.example.com/support/screenshots/{shot.pk}/image/"
    assert "1 screenshot" in team.body and file_url in team.body
    assert f'href="{file_url}"' in team.alternatives[0][0]

    assert acknowledgement.to == ["visitor@example.com"]
    assert re.fullmatch(r"SR-\d{4}-\d{6}", request.reference)
    assert acknowledgement.subject == f"We received your message ({request.reference})"
    assert request.reference in acknowledgement.body
    assert "It came with 1 screenshot." in acknowledgement.body
    # A typed address gets nothing the visitor wrote.
    assert "Upload fails" not in acknowledgement.body and "See the error." not in acknowledgement.body
    assert "Upload fails" not in acknowledgement.alternatives[0][0]


def test_only_signed_in_staff_may_open_a_screenshot(client, agent_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, screenshots=[files.png("screen.png")])
    shot = SupportScreenshot.objects.get()
    image_url = f"/support/screenshots/{shot.pk}/image/"

    assert Client().get(image_url).status_code == 404  # anonymous
    sender = CustomerFactory(email="visitor@example.com")
    for customer in (sender, CustomerFactory()):
        other = Client()
        other.force_login(customer)
        assert other.get(image_url).status_code == 404
    staff_without_second_factor = Client()
    staff_without_second_factor.force_login(AgentFactory())
    assert staff_without_second_factor.get(image_url).status_code == 404

    response = agent_client.get(image_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert agent_client.get(f"/support/screenshots/{shot.pk}/thumbnail/").status_code == 200


def test_the_team_sees_the_screenshots_as_thumbnails_in_the_request_admin(
    client, agent_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, screenshots=[files.png("one.png"), files.jpeg("two.jpg")])
    request = SupportRequest.objects.get()
    first, second = request.screenshots.order_by("position")

    html = agent_client.get(f"/admin/rma/supportrequest/{request.pk}/change/").content.decode()

    assert request.reference in html
    for shot in (first, second):
        assert f'<img src="/support/screenshots/{shot.pk}/thumbnail/"' in html
        assert f'href="/support/screenshots/{shot.pk}/image/"' in html
    assert (first.original_name, second.original_name) == ("one.png", "two.jpg")


def test_a_bad_file_is_named_and_the_good_screenshot_and_the_text_are_kept(
    client, django_capture_on_commit_callbacks
):
    response = post(
        client, screenshots=[files.png("good.png"), files.text_file("notes.jpg")], subject="Kept?"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "notes.jpg is not a JPG, PNG or WEBP image." in html
    assert 'value="Kept?"' in html and "See the error.</textarea>" in html
    assert not SupportRequest.objects.exists()
    [kept] = SupportScreenshot.objects.all()
    assert kept.support_request is None and kept.original_name == "good.png"
    assert 'data-kept-screenshot="good.png"' in html
    held_key = re.search(r'name="held_key" value="([^"]+)"', html).group(1)

    # Sent again with the kept screenshot ticked and one new file: both go with the request.
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            screenshots=[files.webp("second.webp")],
            subject="Kept?",
            held_key=held_key,
            keep_screenshot=[str(kept.pk)],
        )
    assert response.status_code == 302
    request = SupportRequest.objects.get()
    assert [shot.original_name for shot in request.screenshots.order_by("position")] == [
        "good.png",
        "second.webp",
    ]
    assert "2 screenshots" in mail.outbox[0].body


def test_an_unticked_kept_screenshot_is_left_out_and_deleted(client, django_capture_on_commit_callbacks):
    html = post(client, screenshots=[files.png("good.png")], message=" ").content.decode()
    held_key = re.search(r'name="held_key" value="([^"]+)"', html).group(1)
    kept = SupportScreenshot.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, held_key=held_key)  # no keep_screenshot: unticked

    assert response.status_code == 302
    assert not SupportRequest.objects.get().screenshots.exists()
    assert not SupportScreenshot.objects.exists()
    assert not default_storage.exists(kept.image.name)


def test_a_kept_screenshot_cannot_be_claimed_without_its_key(client, django_capture_on_commit_callbacks):
    post(client, screenshots=[files.png("someone-elses.png")], message=" ")
    kept = SupportScreenshot.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        post(Client(), held_key="guessed", keep_screenshot=[str(kept.pk)], email="thief@example.com")

    assert not SupportRequest.objects.get().screenshots.exists()
    assert SupportScreenshot.objects.get().support_request is None


def test_more_than_three_screenshots_are_refused_and_nothing_is_stored(client):
    response = post(client, screenshots=[files.png(f"s{index}.png") for index in range(4)])

    assert response.status_code == 200
    assert "You chose 4 screenshots; at most 3 can be sent." in response.content.decode()
    assert not SupportScreenshot.objects.exists()


def test_kept_screenshots_nobody_came_back_for_are_deleted(
    client, settings, django_capture_on_commit_callbacks
):
    post(client, screenshots=[files.png("left.png")], message=" ")
    kept = SupportScreenshot.objects.get()
    SupportScreenshot.objects.update(
        uploaded_at=timezone.now() - datetime.timedelta(hours=settings.HELD_UPLOAD_HOURS + 1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.delete_stale_held_screenshots() == 1

    assert not SupportScreenshot.objects.exists()
    assert not default_storage.exists(kept.image.name)
    assert not default_storage.exists(kept.thumbnail.name)
    assert "delete-stale-held-screenshots" in settings.CELERY_BEAT_SCHEDULE


def test_a_signed_in_customer_is_acknowledged_in_their_language_with_their_subject(
    client, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(email="me@example.com", language="de")
    client.force_login(customer)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"subject": "Kamera startet nicht", "message": "Hallo", "website": ""})

    request = SupportRequest.objects.get()
    acknowledgement = mail.outbox[1]
    assert acknowledgement.to == ["me@example.com"]
    assert request.reference in acknowledgement.subject
    assert "We received" not in acknowledgement.subject  # written in German
    assert "Kamera startet nicht" in acknowledgement.body


def noisy_png(name: str, seed: int):
    """A PNG that does not compress: what a screenshot costs in storage, about 270 KB."""
    import random

    pixels = random.Random(seed).randbytes(300 * 300 * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (300, 300), pixels).save(buffer, "PNG")
    return files.upload(name, buffer.getvalue(), "image/png")


def held_bytes_on_disk(settings) -> int:
    root = settings.MEDIA_ROOT / "support"
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file()) if root.exists() else 0


def test_refused_forms_from_one_address_hold_at_most_the_per_client_cap(client, settings):
    settings.SUPPORT_HELD_BYTES_PER_CLIENT = 1024 * 1024
    forms = 20

    for form in range(forms):
        shots = [noisy_png(f"f{form}-{index}.png", seed=form * 3 + index) for index in range(3)]
        response = post(client, screenshots=shots, message=" ")  # refused: no message
        assert response.status_code == 200

    held = held_bytes_on_disk(settings)
    largest = max(SupportScreenshot.objects.values_list("size", flat=True))
    # Without the cap, the 20 refused forms would hold 60 screenshots (over 16 MB here; with
    # phone photos and the hourly allowance, gigabytes a day per address).
    assert SupportScreenshot.objects.count() < forms * 3
    assert held <= settings.SUPPORT_HELD_BYTES_PER_CLIENT + largest  # thumbnails are on disk too
    assert "please choose them again" in response.content.decode()


def test_the_held_bytes_in_all_are_capped_whatever_the_address(settings):
    settings.SUPPORT_HELD_BYTES_TOTAL = 1024 * 1024
    for index in range(8):
        visitor = Client(REMOTE_ADDR=f"198.51.100.{index + 1}")
        post(visitor, screenshots=[noisy_png(f"v{index}.png", seed=100 + index)], message=" ")

    assert sum(SupportScreenshot.objects.values_list("size", flat=True)) <= 1024 * 1024


def test_the_same_screenshot_sent_again_with_a_refused_form_is_not_stored_twice(client):
    html = post(client, screenshots=[noisy_png("same.png", seed=7)], message=" ").content.decode()
    held_key = re.search(r'name="held_key" value="([^"]+)"', html).group(1)
    kept = SupportScreenshot.objects.get()

    post(
        client,
        screenshots=[noisy_png("same-again.png", seed=7)],
        message=" ",
        held_key=held_key,
        keep_screenshot=[str(kept.pk)],
    )

    assert list(SupportScreenshot.objects.values_list("pk", flat=True)) == [kept.pk]


def test_screenshots_of_a_refused_form_are_kept_only_a_short_while(client, settings):
    post(client, screenshots=[noisy_png("old.png", seed=1)], message=" ")
    old = SupportScreenshot.objects.get()
    SupportScreenshot.objects.update(
        uploaded_at=timezone.now() - datetime.timedelta(minutes=settings.SUPPORT_HELD_SCREENSHOT_MINUTES + 1)
    )

    post(client, screenshots=[noisy_png("new.png", seed=2)], message=" ")

    assert settings.SUPPORT_HELD_SCREENSHOT_MINUTES <= 60
    assert settings.CELERY_BEAT_SCHEDULE["delete-stale-held-screenshots"]["schedule"] <= 10 * 60
    assert list(SupportScreenshot.objects.values_list("original_name", flat=True)) == ["new.png"]
    assert not SupportScreenshot.objects.filter(pk=old.pk).exists()
