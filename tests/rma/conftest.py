"""Fixtures of the case tests: the people involved and signed-in clients."""

import pytest
from django.test import Client

from tests.factories import AgentFactory, CustomerFactory, SupervisorFactory
from tests.staff import staff_client_for


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


@pytest.fixture
def agent_client(agent):
    return staff_client_for(agent)


@pytest.fixture
def supervisor_client(supervisor):
    return staff_client_for(supervisor)
