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


def test_hits_counted_at_once_from_many_threads_are_all_counted_in_one_window(settings):
    import threading
    import uuid

    from django.core.cache import caches

    from rma_portal.cache import count_hit

    settings.CACHES = {
        "default": {"BACKEND": "rma_portal.cache.PortalRedisCache", "LOCATION": redis_url_for_tests()}
    }
    key = f"hits-{uuid.uuid4().hex}"
    start = threading.Barrier(8)
    counts = []

    def hit():
        start.wait()
        for _ in range(25):
            counts.append(count_hit(key, 120))

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    cache = caches["default"]
    assert sorted(counts) == list(range(1, 201))
    assert cache.get(key) == 200
    assert 110 <= cache._cache.get_client().ttl(cache.make_key(key)) <= 120  # from the first hit on
    cache.delete(key)


@pytest.mark.django_db
def test_without_redis_the_counter_works_on_any_cache(settings):
    from rma_portal.cache import count_hit

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    assert [count_hit("hits", 60) for _ in range(3)] == [1, 2, 3]
