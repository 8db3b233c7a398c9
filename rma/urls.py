from django.urls import path
from django.views.generic import RedirectView

app_name = "rma"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="rma:case_list"), name="home"),
    path("rma/", RedirectView.as_view(pattern_name="accounts:login"), name="case_list"),
]
