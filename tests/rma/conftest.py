"""Fixtures of the case tests: the people involved and signed-in clients."""

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import AgentFactory, CustomerFactory, SupervisorFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Staff factories set passwords; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def agent(db):
    return AgentFactory()


@pytest.fixture
def supervisor(db):
    return SupervisorFactory()


@pytest.fixture
def customer_client(customer):
    client = Client()
    client.force_login(customer)
    return client


def staff_client_for(user) -> Client:
    """A client signed in to the admin with password and a verified authenticator device."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def agent_client(agent):
    return staff_client_for(agent)


@pytest.fixture
def supervisor_client(supervisor):
    return staff_client_for(supervisor)
