"""Signed-in clients and browsers for the tests of the admin."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import AgentFactory


def staff_client_for(user) -> Client:
    """A client signed in to the admin with password and a verified authenticator device."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def session_cookie(live_server, client: Client) -> dict:
    """The signed-in ``client``'s session, as a cookie for a browser on the live server."""
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


# What the migrations grant the group "Warranty agents" (tests/rma/backoffice/test_admin_workspace.py
# checks that they still do). Transactional tests flush the groups the migrations made: the
# group is made again by make_agent, so a browser sees the pages with an agent's permissions.
AGENT_PERMISSIONS = [
    ("accounts", "view_customer"),
    ("payments", "change_supplementarypayment"),
    ("payments", "view_paymentreceipt"),
    ("payments", "view_supplementarypayment"),
    ("rma", "add_case"),
    ("rma", "add_caseitem"),
    ("rma", "add_casemessage"),
    ("rma", "add_shippingaddress"),
    ("rma", "change_case"),
    ("rma", "change_caseitem"),
    ("rma", "change_shippingaddress"),
    ("rma", "change_supportrequest"),
    ("rma", "delete_caseitem"),
    ("rma", "view_case"),
    ("rma", "view_caseevent"),
    ("rma", "view_caseitem"),
    ("rma", "view_casemessage"),
    ("rma", "view_casereminder"),
    ("rma", "view_returnshipment"),
    ("rma", "view_shippingaddress"),
    ("rma", "view_supportrequest"),
    ("rma", "view_warehouse"),
]


def make_agent(**fields):
    """A warranty agent, the group "Warranty agents" made again if a flush took it."""
    group, _created = Group.objects.get_or_create(name="Warranty agents")
    if not group.permissions.exists():
        group.permissions.add(
            *[
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
                for app_label, codename in AGENT_PERMISSIONS
            ]
        )
    return AgentFactory(**fields)
