"""Staff accounts, made with a password and an authenticator app."""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.services.codes import STAFF_TOTP_DEVICE_NAME


@transaction.atomic
def staff_create(
    *, email: str, full_name: str, group_name: str, password: str, totp_key: str | None = None
) -> tuple[User, TOTPDevice]:
    """
    Create a member of the warranty team with a password and a confirmed TOTP device
    (with a new random key unless ``totp_key``, in hex, is given).

    Raises ``django.core.exceptions.ValidationError`` for a weak password or a taken address.
    """
    email = User.objects.normalize_email(email).strip()
    if User.objects.with_email(email).exists():
        raise ValidationError("A user with this email address already exists.")
    candidate = User(email=email, full_name=full_name, is_staff=True)
    validate_password(password, user=candidate)
    user = User.objects.create_user(email, password, full_name=full_name, is_staff=True)
    group, _created = Group.objects.get_or_create(name=group_name)
    user.groups.add(group)
    key = {"key": totp_key} if totp_key else {}
    device = TOTPDevice.objects.create(user=user, name=STAFF_TOTP_DEVICE_NAME, confirmed=True, **key)
    return user, device
