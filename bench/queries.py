"""Count the SQL queries of the customer's list and detail pages for 3, 20 and 60 cases."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rma_portal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from accounts.models import User  # noqa: E402
from rma.models import Case  # noqa: E402

setup_test_environment()  # lets the test client talk to "testserver"
for email in ("bench-three@example.com", "bench@example.com", "bench-sixty@example.com"):
    user = User.objects.get(email=email)
    client = Client()
    client.force_login(user)
    number = Case.objects.filter(customer=user).values_list("number", flat=True).first()
    counts = []
    for path in ("/rma/", f"/rma/{number}/"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts.append(len(queries))
    cases = Case.objects.filter(customer=user).count()
    print(f"{email}\t{cases}\t{counts[0]}\t{counts[1]}")
