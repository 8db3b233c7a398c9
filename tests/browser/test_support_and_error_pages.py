"""In Chromium: the contact form with a screenshot (preview, a refusal that keeps it, the
request that carries it), and the error pages on a phone and a desktop."""

import pytest

from rma.support.models import SupportRequest
from tests import files

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def write(tmp_path, upload):
    path = tmp_path / upload.name
    path.write_bytes(upload.read())
    return str(path)


def test_a_screenshot_is_previewed_in_kb_kept_through_a_refusal_and_sent(page, tmp_path, settings):
    settings.SUPPORT_COOLDOWN = 0
    page.goto("/support/")
    page.get_by_label("Your email address").fill("visitor@example.com")
    page.get_by_label("Message").fill("The upload page shows an error.")
    page.get_by_label("Screenshots (optional)").set_input_files(write(tmp_path, files.png("error.png")))

    caption = page.locator(".upload-preview__name").first
    caption.wait_for()
    assert caption.inner_text().endswith(" KB)")  # a small file is never "(0.0 MB)"
    page.screenshot(path=str(tmp_path / "support-preview.png"), full_page=True)

    page.get_by_role("button", name="Send to the warranty team").click()  # no subject yet
    page.locator("#id_subject-errors").wait_for()
    kept = page.locator("[data-kept-screenshot='error.png'] input[type=checkbox]")
    assert kept.is_checked()
    assert page.get_by_label("Message").input_value() == "The upload page shows an error."
    page.screenshot(path=str(tmp_path / "support-kept.png"), full_page=True)

    page.get_by_label("Subject").fill("Upload error")
    page.get_by_role("button", name="Send to the warranty team").click()
    page.get_by_text("your message is on its way").wait_for()

    request = SupportRequest.objects.get()
    assert [shot.original_name for shot in request.screenshots.all()] == ["error.png"]


@pytest.mark.parametrize("width", [360, 1280])
def test_the_404_page_fits_the_screen_and_leads_back(page, tmp_path, width):
    page.set_viewport_size({"width": width, "height": 800})
    response = page.goto("/no-such-page/")

    assert response.status == 404
    assert page.get_by_role("heading", name="Page not found").is_visible()
    assert page.get_by_role("link", name="Go to my RMA solutions").is_visible()
    assert page.locator(".error-page__support a[href^='mailto:']").is_visible()
    wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert wide <= 0
    page.screenshot(path=str(tmp_path / f"404-{width}.png"), full_page=True)
