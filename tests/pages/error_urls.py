"""The portal's URLs plus one page that fails, for the server error tests."""

from django.urls import path

from rma_portal import urls as portal_urls


def broken_page(request):
    raise RuntimeError("a page that fails")


urlpatterns = [path("broken/", broken_page), *portal_urls.urlpatterns]
handler400 = portal_urls.handler400
handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500
