"""The help page in a real browser: its links land on the answer, without CSP problems."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_help_page_renders_without_console_errors_or_csp_violations(page):
    page.goto("/help/")
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.evaluate("getComputedStyle(document.body).display") == "flex"
    assert page.problems == []


def test_help_table_of_contents_jumps_to_the_answer(page):
    page.goto("/help/")
    page.get_by_role("link", name="Where do I find the S/N or the UID?").click()
    assert page.url.endswith("/help/#serial-number")
    section = page.locator("#serial-number")
    assert section.is_visible()
    # The targeted answer is scrolled into view and highlighted by the stylesheet.
    assert page.evaluate("document.querySelector('#serial-number').getBoundingClientRect().top") < 300
    assert page.evaluate("getComputedStyle(document.querySelector('#serial-number')).boxShadow") != "none"
    assert page.problems == []


def test_help_link_in_the_header_from_the_sign_in_page(page):
    page.goto("/login/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Help").click()
    page.wait_for_url("**/help/")
    assert page.get_by_role("heading", name="Help with your RMA solution").is_visible()
    assert page.problems == []


def test_a_deep_link_opens_on_its_answer(page):
    page.goto("/help/#transaction-number")
    heading = page.get_by_role("heading", name="Where do I find the PayPal transaction number?")
    assert heading.is_visible()
    assert page.evaluate("document.querySelector('#transaction-number').getBoundingClientRect().top") < 300
    assert page.problems == []


def test_help_page_fits_a_small_phone(page):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/help/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.problems == []


def test_a_visitor_reaches_the_contact_form_from_help_and_fixes_a_bad_email(page):
    page.goto("/help/#contact")
    page.locator("#contact").get_by_role("link", name="contact form").click()
    page.wait_for_url("**/support/")
    page.get_by_label("Your email address").fill("not an address")
    page.get_by_label("Subject").fill("Cannot upload my receipt")
    page.get_by_label("Message").fill("The page says the file is too big.")
    page.get_by_role("button", name="Send to the warranty team").click()
    # The form is sent in place; its answer replaces the page when it arrives.
    error = page.get_by_text("Enter a full email address, like name@example.com.")
    error.wait_for()
    assert error.is_visible()
    # What was typed is still there.
    assert page.get_by_label("Subject").input_value() == "Cannot upload my receipt"
    assert page.get_by_label("Message").input_value() == "The page says the file is too big."
    assert page.get_by_label("Your email address").get_attribute("aria-invalid") == "true"
    page.get_by_label("Your email address").fill("visitor@example.com")
    page.get_by_role("button", name="Send to the warranty team").click()
    page.wait_for_url("**/support/sent/")
    assert page.get_by_role("heading", name="Thank you, your message is on its way").is_visible()
    assert page.problems == []


def test_the_contact_form_hides_the_robot_trap_from_people(page):
    page.goto("/support/")
    assert not page.get_by_label("Leave this field empty").is_visible()
    assert page.problems == []
