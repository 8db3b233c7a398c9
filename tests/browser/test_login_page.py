import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_renders_without_console_errors_or_csp_violations(page):
    page.goto("/login/")
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_label("Email address").is_visible()
    assert page.get_by_role("button", name="Send Code").is_visible()
    # The stylesheet loaded and applied (no CSP block on it).
    assert page.evaluate("getComputedStyle(document.body).display") == "flex"
    assert page.problems == []


def test_login_page_fits_a_small_phone(page):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/login/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.problems == []
