"""Django's Redis cache, keeping one Redis client per connection pool; a counter for rate limits."""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient


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


def count_hit(key: str, timeout: int, *, alias: str = "default") -> int:
    """
    Add one to the counter ``key``, created at 0 to live ``timeout`` seconds from its first
    hit, and return the new count. Atomic on Redis, so hosts counting at once never lose a
    hit; other caches read then write, which is good enough for a local run.
    """
    cache = caches[alias]
    if isinstance(cache, PortalRedisCache):
        return cache.count_hit(key, timeout)
    # Not ``cache.incr``: Django's generic one writes the new value back with the cache's
    # default timeout (five minutes), which would end an hour's count early.
    count = (cache.get(key) or 0) + 1
    cache.set(key, count, timeout=timeout)
    return count
