"""The portal's user: customers sign in by emailed code, staff by password and TOTP."""

from base64 import urlsafe_b64encode
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.models import DeviceManager
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.util import random_number_token


class UserManager(BaseUserManager):
    use_in_migrations = True

    def with_email(self, email: str) -> models.QuerySet:
        """The user with this address, whatever its letter case.

        Compares ``LOWER(email)`` so the query uses the case-insensitive unique index
        (``email__iexact`` compiles to ``UPPER(...)`` on PostgreSQL and scans the table).
        """
        return self.alias(email_lower=Lower("email")).filter(email_lower=email.strip().lower())

    def customers_like(self, email: str, *, limit: int = 5) -> models.QuerySet:
        """
        Customers whose address looks like ``email`` without being it: the same name at
        another domain, or the same domain and a name that starts alike. For the hint that
        catches a mistyped address before a second account is made for one person.
        """
        name, _at, domain = email.strip().lower().rpartition("@")
        if not name or not domain:
            return self.none()
        alike = models.Q(email_lower__startswith=name + "@") | models.Q(
            email_lower__endswith="@" + domain, email_lower__startswith=name[:3]
        )
        return (
            self.alias(email_lower=Lower("email"))
            .filter(alike, is_staff=False)
            .exclude(email_lower=email.strip().lower())
            .order_by("email")[:limit]
        )

    def get_by_natural_key(self, username: str) -> "User":
        return self.with_email(username).get()

    def _create_user(self, email: str, password: str | None, **extra_fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).strip(), **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: a customer (no usable password) or a member of the warranty team."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Whether the person may sign in to the warranty team's admin."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # An address that asked for a sign-in code before it had an account: the row holds its
    # code device and is inactive; it becomes the customer's account when the code is
    # verified (``accounts.services.login_code_verify``), and is removed with its code if not.
    awaiting_first_sign_in = models.BooleanField(
        _("awaiting first sign-in"), default=False, db_default=False, editable=False
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # A code from settings.LANGUAGES (no choices here: a new language needs no migration).
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        default="",
        db_default="",  # rows written by SQL (the scale seeder) start without a choice too
        help_text=_("The language of the pages and emails this person gets; empty until they choose one."),
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        # The warranty team opens a customer's account page (linked from cases, registrations
        # and addresses) without the right to read staff accounts or change any account.
        permissions = [("view_customer", _("Can view customer accounts"))]
        # The agents, listed in the back office's filters, are a few among many customers.
        indexes = [
            models.Index(fields=["email"], condition=models.Q(is_staff=True), name="accounts_user_staff")
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message=_("A user with this email address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).strip()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


# --- Customer sign-in by emailed code ---------------------------------------------------

LOGIN_CODE_DEVICE_NAME = "Emailed sign-in code"
LOGIN_CODE_DIGITS = 6


def login_code_digest(*, device_id: int, binding: str, code: str) -> str:
    """
    The keyed hash stored in place of a sign-in code.

    The browser session's binding is part of the hashed value, so a code typed into any other
    session produces a different digest and is refused. 12 bytes of HMAC-SHA256 (keyed with
    SECRET_KEY) fit django-otp's 16-character ``token`` column as base64.
    """
    mac = salted_hmac(
        "accounts.login-code",
        f"{device_id}|{binding}|{code}",
        algorithm="sha256",
    ).digest()
    return urlsafe_b64encode(mac[:12]).decode("ascii")


class LoginCodeDeviceManager(DeviceManager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(name=LOGIN_CODE_DEVICE_NAME)

    def for_customer_address(self, email: str) -> "LoginCodeDevice | None":
        """The sign-in device of the active customer with this address, with its user, in one query."""
        return (
            self.select_related("user")
            .alias(email_lower=Lower("user__email"))
            .filter(
                models.Q(user__is_active=True) | models.Q(user__awaiting_first_sign_in=True),
                email_lower=email.strip().lower(),
                user__is_staff=False,
            )
            .first()
        )

    def use_code(self, *, device_id: int, digest: str) -> bool:
        """
        Use up the live code whose digest is ``digest``; whether there was one.

        One conditional UPDATE: of two requests racing with the right code, exactly one
        finds the row still holding it.
        """
        now = timezone.now()
        return bool(
            self.filter(pk=device_id, token=digest, valid_until__gt=now).update(
                token=None, valid_until=now, last_used_at=now
            )
        )


class LoginCodeDevice(EmailDevice):
    """
    django-otp's email device as the customers' sign-in channel.

    It keeps django-otp's cooldown between sends and changes three things: only a keyed
    hash of the code is stored (see ``login_code_digest``), the email is sent by a Celery
    task instead of inline, and wrong guesses are counted per pending sign-in and per
    address (``accounts.guesses``) rather than on the device, so that one browser's wrong
    codes never use up another's and the count does not start again with each new code.

    These devices are created unconfirmed: they are a way in for customers, not an enrolled
    second factor, and django-otp's admin login only offers confirmed devices.
    """

    objects = LoginCodeDeviceManager()

    class Meta:
        proxy = True
        verbose_name = _("sign-in code device")
        verbose_name_plural = _("sign-in code devices")

    def get_cooldown_duration(self) -> int:
        return settings.LOGIN_CODE_COOLDOWN

    def has_live_code(self) -> bool:
        """Whether a code was issued and is neither used, voided nor past its validity."""
        return self.token is not None and timezone.now() < self.valid_until

    def cooldown_wait(self, *, requested_at: datetime, now: datetime | None = None) -> float | None:
        """
        django-otp's cooldown, measured between the times the requests were made rather than
        the times a worker got to them: 0 when a code may be issued for a request made at
        ``requested_at``, ``None`` when a newer request has been issued a code already, and
        when the previous request is less than the cooldown older, the seconds left until
        its cooldown ends (``now``, by default the clock): then this one is issued.

        A request asked again (a retry, or a copy delivered again after a worker died) has
        the time of the request that set the cooldown, and may always have a fresh code: it
        replaces its own earlier one. A request delayed in the queue never uses up the
        cooldown of the next one.
        """
        last = self.last_generated_timestamp
        if last is None or requested_at == last:
            return 0
        if requested_at < last:
            return None
        cooldown = self.get_cooldown_duration()
        if (requested_at - last).total_seconds() >= cooldown:
            return 0
        now = now or timezone.now()
        return max(0.0, (last - now).total_seconds() + cooldown)

    def issue_code(self, *, binding: str, requested_at: datetime | None = None) -> str | None:
        """
        Replace any previous code with a new one, unless the cooldown is still running.

        Returns the code in clear text for the email (it is stored only as a digest), or
        ``None`` while the cooldown (``cooldown_wait``, from ``requested_at``, by default
        now) forbids a new one.
        """
        requested_at = requested_at or timezone.now()
        if self.cooldown_wait(requested_at=requested_at) != 0:
            return None
        code = random_number_token(LOGIN_CODE_DIGITS)  # SystemRandom: a cryptographic source
        # The cooldown runs from the request, as the cache's cooldown in the request does.
        self.last_generated_timestamp = requested_at
        # Each code gets its own allowance of wrong tries.
        self.throttle_reset(commit=False)
        self.token = login_code_digest(device_id=self.pk, binding=binding, code=code)
        self.valid_until = timezone.now() + timedelta(seconds=settings.LOGIN_CODE_VALIDITY)
        self.save()
        return code

    def void_code(self, *, commit: bool = True) -> None:
        """Make the current code unusable (after too many wrong tries, or at expiry)."""
        self.token = None
        self.valid_until = timezone.now()
        if commit:
            self.save()

    def generate_challenge(self, extra_context: dict | None = None) -> str:
        # EmailDevice would store the code in clear text and mail it inline; codes for this
        # device are issued only by ``accounts.services.login_code_issue``, in the worker.
        return gettext("Sign-in codes are requested on the portal's sign-in page.")

    def generate_token(self, length: int = 6, valid_secs: int = 300, commit: bool = True) -> None:
        raise NotImplementedError("Use issue_code(): it stores only a digest of the code.")

    def verify_token(self, token: str) -> bool:
        """
        Check a digest (never a clear code) against the current one.

        Must run under django-otp's row lock (``django_otp.verify_token``). A code that is
        not live is refused without counting a failure; a wrong one counts through
        django-otp's throttling, and the code is voided once the failures reach the limit.
        """
        if not self.has_live_code() or self.user.is_staff:
            return False
        verified = super().verify_token(token)
        if not verified and self.throttling_failure_count >= settings.LOGIN_CODE_MAX_FAILURES:
            self.void_code()
        return verified


class SignInEvent(models.Model):
    """An append-only audit record of the customer sign-in flow; never holds a code."""

    class Kind(models.TextChoices):
        CODE_SENT = "code_sent", _("code sent")
        UNKNOWN_ADDRESS = "unknown_address", _("unknown address notified")
        SEND_COOLDOWN = "send_cooldown", _("send refused: cooldown")
        RATE_LIMITED = "rate_limited", _("refused: too many requests from the IP")
        SIGNED_IN = "signed_in", _("signed in")
        ACCOUNT_CREATED = "account_created", _("first sign-in: customer account created")
        CODE_FAILED = "code_failed", _("wrong code")
        CODE_REFUSED = "code_refused", _("code refused without a check")
        CODE_EXPIRED = "code_expired", _("expired code: not counted as a wrong try")
        CODE_LOCKED = "code_locked", _("code voided after too many wrong tries")
        ADDRESS_BLOCKED = "address_blocked", _("codes refused for a day: too many wrong ones for the address")
        SIGNED_OUT = "signed_out", _("signed out")
        STAFF_SIGNED_IN = "staff_signed_in", _("staff signed in to the admin")
        STAFF_FAILED = "staff_failed", _("staff sign-in failed: password or authenticator code")
        STAFF_LOCKED_OUT = "staff_locked_out", _("staff sign-in refused: too many failures")

    kind = models.CharField(_("event"), max_length=32, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sign_in_events",
    )
    email = models.EmailField(_("email address entered"), max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="accounts_signin_user_idx")]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} · {self.email or self.user_id} · {self.created_at:%Y-%m-%d %H:%M:%S}"
        )
