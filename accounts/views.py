"""Customer sign-in by emailed code, and sign-out."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView
from django.views.i18n import LANGUAGE_QUERY_PARAMETER
from django.views.i18n import set_language as django_set_language

from accounts.forms import CodeForm, LoginForm
from accounts.languages import session_language_set, supported_language, user_language_set
from accounts.limits import ClientInfo, hit_ip_limit
from accounts.models import SignInEvent
from accounts.services import (
    PendingLogin,
    SendResult,
    VerifyOutcome,
    login_code_request,
    login_code_verify,
    sign_in_event_create,
    sign_out_record,
)
from rma_portal.cache import CACHE_UNREACHABLE

NEXT_URL_SESSION_KEY = "accounts.login_next"


# The sign-in waiting for its code lives in a signed cookie of the browser that asked for it,
# not in the session: it survives a cache (Redis) restarted empty, and "Send Code" writes no
# session. It holds the address, the browser's binding and when it expires; the guesses are
# counted in the shared cache (``accounts.guesses``), so an old copy of the cookie gains
# nothing. It is signed with the secret key, readable only by the server (HttpOnly) and sent
# only back to this site.
PENDING_COOKIE_SALT = "accounts.pending-sign-in"


def _pending_login(request: HttpRequest) -> PendingLogin | None:
    value = request.COOKIES.get(settings.LOGIN_PENDING_COOKIE_NAME)
    if not value:
        return None
    try:
        data = signing.loads(value, salt=PENDING_COOKIE_SALT, max_age=settings.LOGIN_CODE_VALIDITY + 60)
    except signing.BadSignature:  # tampered with, or older than any code it could be for
        return None
    return PendingLogin.from_session(data)


def _keep_pending(response: HttpResponse, pending: PendingLogin) -> HttpResponse:
    response.set_cookie(
        settings.LOGIN_PENDING_COOKIE_NAME,
        signing.dumps(pending.to_session(), salt=PENDING_COOKIE_SALT, compress=True),
        max_age=settings.LOGIN_CODE_VALIDITY + 60,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _forget_pending(response: HttpResponse) -> HttpResponse:
    response.delete_cookie(settings.LOGIN_PENDING_COOKIE_NAME, samesite="Lax")
    return response


def _ip_limit_or_none(request: HttpRequest, *, action: str, limit: int) -> HttpResponse | None:
    """A 429 page when this client IP used up its hourly allowance for ``action``."""
    client = ClientInfo.from_request(request)
    result = hit_ip_limit(action=action, ip_address=client.ip_address, limit=limit)
    if result.allowed:
        return None
    if result.first_refusal:
        sign_in_event_create(kind=SignInEvent.Kind.RATE_LIMITED, client=client)
    response = render(
        request,
        "accounts/too_many_requests.html",
        {"retry_minutes": max(1, -(-result.retry_after // 60))},
        status=429,
    )
    response["Retry-After"] = str(result.retry_after)
    return response


def _cooldown_message(seconds: int) -> str:
    return ngettext(
        "A code was sent to this address a moment ago. You can ask for another one in %(seconds)d second.",
        "A code was sent to this address a moment ago. You can ask for another one in %(seconds)d seconds.",
        seconds,
    ) % {"seconds": seconds}


def _ask_for_code(request: HttpRequest, *, email: str, replacing: PendingLogin | None) -> SendResult:
    """
    "Send Code": the request for the code is written to the outbox, one row in one statement
    whose commit does not wait for the disk (``rma_portal.outbox.record_alone``: only a crash
    of the database server in the next moment could lose it, and the customer would press
    "Send Code" again), so that a Redis restarted empty does not lose it; it goes to the
    broker at once. The browser's pending sign-in goes back in its cookie (``_keep_pending``).
    """
    return login_code_request(
        email=email,
        client=ClientInfo.from_request(request),
        language=get_language(),
        replacing=replacing,
    )


@method_decorator(never_cache, name="dispatch")
class LoginView(FormView):
    """Step 1: the customer's email address; "Send Code"."""

    template_name = "accounts/login.html"
    form_class = LoginForm

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        next_url = request.GET.get("next", "")
        if next_url and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            request.session[NEXT_URL_SESSION_KEY] = next_url
        return super().get(request, *args, **kwargs)

    def form_valid(self, form: LoginForm) -> HttpResponse:
        limited = _ip_limit_or_none(self.request, action="send", limit=settings.LOGIN_SENDS_PER_IP_PER_HOUR)
        if limited:
            return limited
        email = form.cleaned_data["email"]
        result = _ask_for_code(self.request, email=email, replacing=_pending_login(self.request))
        if result.sent:
            if result.delayed:
                messages.info(
                    self.request,
                    _("Sending emails is slow just now: your code may take a minute or two to arrive."),
                )
            return _keep_pending(redirect("accounts:verify"), result.pending)
        pending = _pending_login(self.request)
        if pending is not None and pending.email.lower() == email.strip().lower():
            # This browser asked a moment ago: the code it was sent is still the one to use.
            messages.info(self.request, _cooldown_message(result.retry_after))
            return redirect("accounts:verify")
        form.add_error("email", _cooldown_message(result.retry_after))
        return self.form_invalid(form)


VERIFY_ERRORS = {
    VerifyOutcome.LOCKED: lambda result: _(
        "This code was entered wrongly too many times and has stopped working. Ask for a new code below."
    ),
    VerifyOutcome.NOT_VALID: lambda result: _(
        "This code no longer works: it has expired. Press “Send a new code” below, "
        "and type the code from that email."
    ),
    VerifyOutcome.EXPIRED: lambda result: _(
        "That code has expired: it is from an earlier email. It did not count as a wrong try. "
        "Type the code from the newest email, or press “Send a new code” below."
    ),
    VerifyOutcome.THROTTLED: lambda result: (
        ngettext(
            "Please wait %(minutes)d minute, then type the code again.",
            "Please wait %(minutes)d minutes, then type the code again.",
            -(-result.retry_after // 60),
        )
        % {"minutes": -(-result.retry_after // 60)}
        if result.retry_after >= 120
        else ngettext(
            "Please wait %(seconds)d second, then type the code again.",
            "Please wait %(seconds)d seconds, then type the code again.",
            result.retry_after,
        )
        % {"seconds": result.retry_after}
    ),
    VerifyOutcome.BLOCKED: lambda result: (
        ngettext(
            "Too many wrong codes were typed for this address from this browser or network, "
            "so codes typed here are not accepted for now. Please try again in about %(hours)d hour. "
            "If this is your address, we have emailed you about it.",
            "Too many wrong codes were typed for this address from this browser or network, "
            "so codes typed here are not accepted for now. Please try again in about %(hours)d hours. "
            "If this is your address, we have emailed you about it.",
            max(1, -(-result.retry_after // 3600)),
        )
        % {"hours": max(1, -(-result.retry_after // 3600))}
    ),
    VerifyOutcome.REPLACED: lambda result: (
        ngettext(
            "That is the code from an earlier email: the newer code we sent you replaced it. "
            "Type the code from the newest email (%(left)d try left).",
            "That is the code from an earlier email: the newer code we sent you replaced it. "
            "Type the code from the newest email (%(left)d tries left).",
            max(0, settings.LOGIN_CODE_MAX_FAILURES - result.pending.failures),
        )
        % {"left": max(0, settings.LOGIN_CODE_MAX_FAILURES - result.pending.failures)}
    ),
    VerifyOutcome.WRONG: lambda result: (
        ngettext(
            "That code is not the right one. Check the digits of the newest email (%(left)d try left).",
            "That code is not the right one. Check the digits of the newest email (%(left)d tries left).",
            max(0, settings.LOGIN_CODE_MAX_FAILURES - result.pending.failures),
        )
        % {"left": max(0, settings.LOGIN_CODE_MAX_FAILURES - result.pending.failures)}
    ),
}


@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters("code"), name="dispatch")
class VerifyView(FormView):
    """Step 2: the 6-digit code, in the same browser session; or "send a new code"."""

    template_name = "accounts/verify.html"
    form_class = CodeForm

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.pending = _pending_login(request)
        if self.pending is None:
            messages.info(request, _("Start with your email address, and we will send you a code."))
            return redirect("accounts:login")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context.update(
            pending_email=self.pending.email,
            validity_minutes=max(1, settings.LOGIN_CODE_VALIDITY // 60),
            max_failures=settings.LOGIN_CODE_MAX_FAILURES,
            code_locked=self.pending.failures >= settings.LOGIN_CODE_MAX_FAILURES,
        )
        return context

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if "resend" in request.POST:
            return self.resend()
        return super().post(request, *args, **kwargs)

    def resend(self) -> HttpResponse:
        limited = _ip_limit_or_none(self.request, action="send", limit=settings.LOGIN_SENDS_PER_IP_PER_HOUR)
        if limited:
            return limited
        result = _ask_for_code(self.request, email=self.pending.email, replacing=self.pending)
        if result.sent:
            messages.success(
                self.request,
                _("A new code is on its way to %(email)s. Codes sent before it no longer work.")
                % {"email": self.pending.email},
            )
            return _keep_pending(redirect("accounts:verify"), result.pending)
        messages.warning(self.request, _cooldown_message(result.retry_after))
        return redirect("accounts:verify")

    def form_valid(self, form: CodeForm) -> HttpResponse:
        limited = _ip_limit_or_none(
            self.request, action="verify", limit=settings.LOGIN_VERIFIES_PER_IP_PER_HOUR
        )
        if limited:
            return limited
        result = login_code_verify(
            pending=self.pending,
            code=form.cleaned_data["code"],
            client=ClientInfo.from_request(self.request),
        )
        if result.outcome is VerifyOutcome.SIGNED_IN:
            next_url = self.request.session.get(NEXT_URL_SESSION_KEY, "")
            # login() gives the session a new key, so an identifier seen before sign-in is
            # worth nothing afterwards.
            login(self.request, result.user, backend="django.contrib.auth.backends.ModelBackend")
            self.request.session.pop(NEXT_URL_SESSION_KEY, None)
            if not url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
            ):
                next_url = resolve_url(settings.LOGIN_REDIRECT_URL)
            return _forget_pending(HttpResponseRedirect(next_url))

        self.pending = result.pending
        form.add_error("code", VERIFY_ERRORS[result.outcome](result))
        return _keep_pending(self.form_invalid(form), result.pending)


class LogoutView(View):
    """Sign-out (POST only): the session is deleted on the server, not just forgotten."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            getattr(request.session, "forget_in_cache", lambda: None)()
        except CACHE_UNREACHABLE:
            # Nothing changed: the customer is still signed in and is told so.
            response = render(request, "accounts/sign_out_unavailable.html", status=503)
            response["Retry-After"] = "30"
            return response
        if request.user.is_authenticated:
            sign_out_record(user=request.user, client=ClientInfo.from_request(request))
        logout(request)
        messages.success(request, _("You are signed out. See you next time."))
        return redirect("accounts:login")


def set_language(request: HttpRequest) -> HttpResponse:
    """
    ``POST /i18n/setlang/`` (``language``, ``next``): Django's ``set_language`` sets the
    cookie and goes back to ``next``; for a signed-in person the choice is also kept on
    their account, so it follows them to another browser.
    """
    response = django_set_language(request)
    language = request.POST.get(LANGUAGE_QUERY_PARAMETER) if request.method == "POST" else None
    if request.user.is_authenticated and supported_language(language):
        user_language_set(user=request.user, language=language)
        session_language_set(request, language)
    return response
