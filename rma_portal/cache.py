"""
Django's Redis cache, keeping one Redis client per connection pool; a counter for rate
limits; and what the portal does when the shared cache cannot be reached.

Redis is a cache, not a single point of failure: a caller that can do without it wraps the
call in ``unless_unreachable`` (the page cache renders afresh), and one whose answer must
still be shared by every process (rate limits, the sign-in cooldown) runs it through
``on_shared_cache``, which falls back to the database cache (``FALLBACK_CACHE_ALIAS``).
Either way the outage is logged once a minute per use, not once per request.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Settings name this alias: the database cache, used while the default one is away.
FALLBACK_CACHE_ALIAS = "database"
# A refused or timed-out connection is an OSError inside redis-py, a RedisError outside.
CACHE_UNREACHABLE = (RedisError, OSError)
REPORT_EVERY_SECONDS = 60

_last_reported: dict[str, float] = {}
_report_lock = threading.Lock()


def report_unreachable(use: str, error: BaseException) -> None:
    """Log that Redis (cache or broker) is unreachable for ``use``, at most once a minute per use."""
    now = time.monotonic()
    with _report_lock:
        if now - _last_reported.get(use, -REPORT_EVERY_SECONDS) < REPORT_EVERY_SECONDS:
            return
        _last_reported[use] = now
    logger.warning("Redis unreachable for %s: %s; going on without it.", use, error)


def unless_unreachable(use: str, call: Callable[[], T], fallback: T) -> T:
    """``call()``, or ``fallback`` when the cache cannot be reached."""
    try:
        return call()
    except CACHE_UNREACHABLE as error:
        report_unreachable(use, error)
        return fallback


def on_shared_cache(use: str, operation: Callable[[BaseCache], T]) -> T:
    """``operation`` on the default cache, or on the database cache when it cannot be reached."""
    try:
        return operation(caches["default"])
    except CACHE_UNREACHABLE as error:
        report_unreachable(use, error)
        return operation(caches[FALLBACK_CACHE_ALIAS])


class SharedCache:
    """The cache for state every process must agree on (rate limits, sign-in guesses,
    lockouts): each call goes to the default cache, or to the database cache while the
    default one cannot be reached (``on_shared_cache``)."""

    def __init__(self, use: str):
        self.use = use

    def __getattr__(self, name: str) -> Callable:
        def call(*args, **kwargs):
            return on_shared_cache(self.use, lambda cache: getattr(cache, name)(*args, **kwargs))

        return call


class ReusedClientRedisCacheClient(RedisCacheClient):
    """
    Django builds a new ``redis.Redis`` object for every cache call; with redis-py 5 and
    later that object's construction (its table of response callbacks) costs more than the
    round trip to Redis. A client is thread-safe and only borrows connections from its
    pool, so one per pool is enough.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class PortalRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with reused clients."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    def count_hit(self, key: str, timeout: int) -> int:
        """``count_hit`` below, in one round trip: SET NX EX and INCR, pipelined."""
        key = self.make_and_validate_key(key)
        client = self._cache.get_client(key, write=True)
        pipeline = client.pipeline(transaction=False)
        pipeline.set(key, 0, nx=True, ex=timeout)
        pipeline.incr(key)
        return pipeline.execute()[1]


def _count_hit_on(cache: BaseCache, key: str, timeout: int) -> int:
    if isinstance(cache, PortalRedisCache):
        return cache.count_hit(key, timeout)
    # Not ``cache.incr``: Django's generic one writes the new value back with the cache's
    # default timeout (five minutes), which would end an hour's count early.
    count = (cache.get(key) or 0) + 1
    cache.set(key, count, timeout=timeout)
    return count


def count_hit(key: str, timeout: int) -> int:
    """
    Add one to the counter ``key``, created at 0 to live ``timeout`` seconds from its first
    hit, and return the new count. Atomic on Redis, so hosts counting at once never lose a
    hit; other caches (the database cache while Redis is away) read then write, which is
    good enough for a limit.
    """
    return on_shared_cache("rate limits", lambda cache: _count_hit_on(cache, key, timeout))
