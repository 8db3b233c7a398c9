"""Uploads through django-storages' S3 backend, against moto's S3 server on loopback."""

from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from django.core.files.storage import default_storage

from rma_portal import images
from rma_portal.images import storage as image_storage
from tests import files

BUCKET = "rma-uploads"
CREDENTIALS = {"access_key": "testing-key", "secret_key": "testing-secret"}


@pytest.fixture
def s3(settings, monkeypatch):
    """moto's S3 on 127.0.0.1 with a private bucket, and the default storage pointed at it."""
    from moto.server import ThreadedMotoServer

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS["access_key"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS["secret_key"])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # moto keeps its buckets in process memory: start every test from an empty S3.
    requests.post(f"{endpoint}/moto-api/reset", timeout=5).raise_for_status()
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
    )
    client.create_bucket(Bucket=BUCKET)
    client.put_public_access_block(
        Bucket=BUCKET,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
                "signature_version": "s3v4",
            },
        },
    }
    yield client
    requests.post(f"{endpoint}/moto-api/reset", timeout=5)
    server.stop()


def test_an_upload_is_stored_in_the_private_bucket_under_its_random_name(s3):
    [stored] = images.store_images(images.clean_images([files.jpeg_with_gps_and_rotation("label.jpg")]))

    keys = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == sorted([stored.name, stored.thumbnail_name])
    head = s3.head_object(Bucket=BUCKET, Key=stored.name)
    assert head["ContentLength"] == stored.size
    body = s3.get_object(Bucket=BUCKET, Key=stored.name)["Body"].read()
    assert b"Exif" not in body
    grants = s3.get_object_acl(Bucket=BUCKET, Key=stored.name)["Grants"]
    assert all(grant["Grantee"].get("URI", "").endswith("AllUsers") is False for grant in grants)


def test_the_url_of_a_stored_upload_is_signed_and_short_lived(s3):
    [stored] = images.store_images(images.clean_images([files.png("receipt.png")]))

    url = default_storage.url(stored.name)

    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["300"]
    assert query["X-Amz-Signature"][0]
    assert query["X-Amz-Credential"][0].startswith(CREDENTIALS["access_key"] + "/")
    answer = requests.get(url, timeout=5)
    assert answer.status_code == 200
    with default_storage.open(stored.name, "rb") as handle:
        assert answer.content == handle.read()


def test_a_failure_while_storing_on_s3_leaves_no_object(s3, monkeypatch):
    cleaned = images.clean_images([files.jpeg("one.jpg"), files.png("two.png")])
    calls = []

    class FailingStorage:
        def save(self, name, content, **kwargs):
            calls.append(name)
            if len(calls) == 3:
                raise OSError("connection reset")
            return default_storage.save(name, content, **kwargs)

        def delete(self, name):
            default_storage.delete(name)

    monkeypatch.setattr(image_storage, "default_storage", FailingStorage())

    with pytest.raises(OSError):
        images.store_images(cleaned)

    assert len(calls) == 3
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


@pytest.mark.django_db
def test_the_file_view_redirects_the_owner_to_a_signed_short_lived_link(s3, client, settings):
    from django.urls import reverse

    from payments.models import PaymentReceipt
    from rma.cases.models import Case
    from tests.factories import CaseFactory, CustomerFactory

    settings.PAYPAL_CLIENT_ID = settings.PAYPAL_CLIENT_SECRET = ""
    case = CaseFactory(status=Case.Status.AWAITING_INFO, nothing_required=True, payment_due=True)
    client.force_login(case.customer)
    client.post(
        reverse("payments:payment", kwargs={"number": case.number}),
        {"transaction_number": "5TY05013RG002845M", "receipts": [files.jpeg("receipt.jpg")]},
    )
    receipt = PaymentReceipt.objects.get()
    url = reverse(
        "payments:receipt_file", kwargs={"number": case.number, "receipt_id": receipt.pk, "variant": "image"}
    )

    response = client.get(url)

    assert response.status_code == 302
    location = response["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["300"] and query["X-Amz-Signature"][0]
    assert urlsplit(location).path.endswith(receipt.image.name)
    assert requests.get(location, timeout=5).content[:3] == b"\xff\xd8\xff"
    client.force_login(CustomerFactory())
    assert client.get(url).status_code == 404
