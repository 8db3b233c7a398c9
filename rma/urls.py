from django.urls import path
from django.views.generic import RedirectView

from rma.claims import views as claim_views
from rma.inbound import views as inbound_views
from rma.portal import views
from rma.required import views as required_views

app_name = "rma"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="rma:case_list"), name="home"),
    path("rma/", views.CaseListView.as_view(), name="case_list"),
    path("rma/new/", claim_views.ClaimStartView.as_view(), name="claim_new"),
    path(
        "rma/claim-photos/<int:photo_id>/<str:variant>/",
        claim_views.ClaimPhotoFileView.as_view(),
        name="claim_photo",
    ),
    path("rma/<str:number>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("rma/<str:number>/agree/", views.CaseAgreeView.as_view(), name="case_agree"),
    path("rma/<str:number>/disagree/", views.CaseDisagreeView.as_view(), name="case_disagree"),
    path("rma/<str:number>/messages/", views.CaseMessageView.as_view(), name="case_message"),
    path(
        "rma/<str:number>/messages/<int:message_id>/files/<int:index>/<str:variant>/",
        inbound_views.MessageFileView.as_view(),
        name="case_message_file",
    ),
    path("rma/<str:number>/return/", required_views.ReturnView.as_view(), name="case_return"),
    path(
        "rma/<str:number>/return/files/<str:piece>/<str:variant>/",
        required_views.ReturnFileView.as_view(),
        name="case_return_file",
    ),
    path("rma/<str:number>/address/", required_views.AddressView.as_view(), name="case_address"),
    path(
        "rma/<str:number>/kept/<int:upload_id>/<str:variant>/",
        required_views.HeldFileView.as_view(),
        name="case_held_file",
    ),
]
