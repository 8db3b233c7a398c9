"""The portal's URLs and the proof of purchase's step (``@pytest.mark.urls``)."""

from django.urls import path

from rma_portal.urls import urlpatterns as portal_urlpatterns
from tests.extra_part.views import ProofView

urlpatterns = [
    path("rma/<str:number>/proof/", ProofView.as_view(), name="extra_part_proof"),
    *portal_urlpatterns,
]
