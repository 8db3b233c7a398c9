"""
What the views take from an HTTP request for the audit trail, before they call a service.

The services receive a ``RequestMeta`` (where an action came from) and never see the request;
this module sits above them (``.importlinter``), so no service can parse one.
"""

from __future__ import annotations

from django.http import HttpRequest

from accounts.limits import client_ip
from rma.cases.workflow import RequestMeta


def request_meta(request: HttpRequest) -> RequestMeta:
    """Where the request came from: the same client address the rate limits count against
    (behind the trusted proxies, the one the outermost of them saw; never the proxy's own
    address) and the browser's user agent."""
    return RequestMeta(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:400])
