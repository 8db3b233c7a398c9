import pytest

from payments import paypal
from tests.payments.paypal_server import CLIENT_ID, CLIENT_SECRET, PayPalServer


@pytest.fixture
def paypal_server(settings):
    """A PayPal-like server on loopback, with the portal configured to use it."""
    paypal._client.cache_clear()
    with PayPalServer() as server:
        settings.PAYPAL_API_BASE_URL = server.url
        settings.PAYPAL_CLIENT_ID = CLIENT_ID
        settings.PAYPAL_CLIENT_SECRET = CLIENT_SECRET
        settings.PAYPAL_TIMEOUT = 2.0
        settings.PAYPAL_RECEIVING_ACCOUNT = "payments@example.com"
        yield server
    paypal._client.cache_clear()


@pytest.fixture
def paypal_off(settings):
    """No PayPal credentials at all."""
    paypal._client.cache_clear()
    settings.PAYPAL_CLIENT_ID = ""
    settings.PAYPAL_CLIENT_SECRET = ""
