import pytest

from rma_portal.cache import PortalRedisCache
from tests.conftest import redis_url_for_tests

pytestmark = pytest.mark.services


def test_the_redis_cache_stores_and_reads_through_one_reused_client():
    cache = PortalRedisCache(redis_url_for_tests(), {"KEY_PREFIX": "cache-test"})
    cache.set("greeting", {"text": "hello"}, timeout=30)
    cache.set_many({"a": 1, "b": 2}, timeout=30)

    assert cache.get("greeting") == {"text": "hello"}
    assert cache.get_many(["a", "b", "missing"]) == {"a": 1, "b": 2}
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    cache.delete_many(["greeting", "a", "b"])
