"""Values every template may use."""

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    """The portal's name and contact points, for the base layout."""
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "SUPPORT_EMAIL": settings.SUPPORT_EMAIL,
    }
