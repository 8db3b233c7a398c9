import pytest
from django.db import connection

from accounts.models import User
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_user_is_found_by_email_whatever_the_letter_case():
    customer = CustomerFactory(email="Dana.Demo@example.com")

    assert User.objects.with_email("  dana.DEMO@Example.com ").get() == customer
    assert User.objects.get_by_natural_key("DANA.demo@example.com") == customer
    assert not User.objects.with_email("someone.else@example.com").exists()


@pytest.mark.postgres
def test_the_email_lookup_uses_the_case_insensitive_unique_index():
    CustomerFactory.create_batch(3)
    with connection.cursor() as cursor:
        # A table this small is read whole anyway; ask whether the index *can* serve.
        cursor.execute("SET LOCAL enable_seqscan = off")

    plan = User.objects.with_email("dana@example.com").explain()

    assert "accounts_user_email_ci_unique" in plan
