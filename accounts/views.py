from django.views.generic import TemplateView


class LoginView(TemplateView):
    """Placeholder until code sign-in lands."""

    template_name = "accounts/login.html"
