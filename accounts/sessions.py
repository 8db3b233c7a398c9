"""
The session store: sessions kept in the database and read through the cache.

Django's ``cached_db`` engine, except that a cache that cannot be reached on read is
skipped rather than fatal: while Redis is down, signed-in people go on being served from
the database. A session that could not be written to the cache is logged by Django; one
that could not be removed from it (signing out) still fails loudly, so that a copy in
Redis never outlives the sign-out.
"""

import logging

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(CachedDBStore):
    def load(self) -> dict:
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            logger.warning("Session cache unreachable on read; reading the database", exc_info=True)
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        except Exception:
            logger.warning("Session cache unreachable on write", exc_info=True)
        return data

    def exists(self, session_key: str | None) -> bool:
        if not session_key:
            return False
        try:
            if self.cache_key_prefix + session_key in self._cache:
                return True
        except Exception:
            logger.warning("Session cache unreachable on read; reading the database", exc_info=True)
        return DBStore.exists(self, session_key)
