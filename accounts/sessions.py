"""
The session store: signed-in sessions kept in the database and read through the cache; the
sessions of people not signed in in the cache alone.

It is Django's ``cached_db`` engine with two changes:

- A session that holds no signed-in user (only a page to go back to, say) lives only in
  the cache. A sign-in waiting for its code is not in the session at all: it is a signed
  cookie of its browser (``accounts.views``), and the request for the code is in the outbox,
  so a Redis restarted empty loses neither. When the visitor signs in, Django's ``login()``
  gives the session a new key and it is written to the database as well.
- A cache that cannot be reached is skipped rather than fatal: while Redis is down,
  signed-in people go on being served from the database, and a session of someone not
  signed in is written there too. A session that could not be removed from the cache
  (signing out) still fails loudly, so that a copy in Redis never outlives the sign-out.
"""

import copy

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.utils.crypto import get_random_string

from rma_portal.cache import CACHE_UNREACHABLE, report_unreachable


class SessionStore(CachedDBStore):
    # Set when this store created its key in the cache alone; Django's login() does so
    # (``cycle_key``) just before it puts the user in, and the first save then inserts the row.
    _not_in_database = False

    def _signed_in(self) -> bool:
        return SESSION_KEY in self._get_session(no_load=True)

    def load(self) -> dict:
        try:
            data = self._cache.get(self.cache_key)
        except CACHE_UNREACHABLE as error:
            report_unreachable("sessions", error)
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        except CACHE_UNREACHABLE as error:
            report_unreachable("sessions", error)
        return data

    def exists(self, session_key: str | None) -> bool:
        if not session_key:
            return False
        try:
            if self.cache_key_prefix + session_key in self._cache:
                return True
        except CACHE_UNREACHABLE as error:
            report_unreachable("sessions", error)
        return DBStore.exists(self, session_key)

    def create(self) -> None:
        while True:
            # The cache's atomic ``add``, or the row's primary key, refuses a key in use; no
            # look-up needed first.
            self._session_key = get_random_string(32, VALID_KEY_CHARS)
            self._not_in_database = True  # until ``save`` has written the row
            try:
                self.save(must_create=True)
            except CreateError:
                continue
            self.modified = True
            return

    def forget_in_cache(self) -> None:
        """Remove this session's copy from the cache, raising when the cache cannot be reached.

        Signing out calls it first, so that with Redis away it changes nothing rather than
        deleting the database row and leaving a copy in Redis that could come back.
        """
        if self.session_key:
            self._cache.delete(self.cache_key)
            self._forgotten_in_cache = self.session_key

    # The key whose copy ``forget_in_cache`` removed from the cache in this request.
    _forgotten_in_cache: str | None = None

    def delete(self, session_key: str | None = None) -> None:
        """Django's (the row, then the cache's copy), except that a cache gone away between
        ``forget_in_cache`` and this delete is no failure: its copy is gone already."""
        key = session_key or self.session_key
        try:
            super().delete(session_key)
        except CACHE_UNREACHABLE as error:
            if key is None or key != self._forgotten_in_cache:
                raise
            report_unreachable("sessions", error)

    def cycle_key(self) -> None:
        """Django's, except that while Redis is away the old key of a session nobody was
        signed in to (a sign-in in progress) is left to expire in the cache: it holds no
        one's access."""
        data, old_key = self._session, self.session_key
        self.create()
        self._session_cache = data
        if not old_key:
            return
        try:
            self.delete(old_key)
        except CACHE_UNREACHABLE as error:
            if SESSION_KEY in data:
                raise
            report_unreachable("sessions", error)

    # What the last save wrote, and under which key: a second save of the same data (the
    # sign-in page saves inside its transaction, then the middleware at the end) writes nothing.
    _written: tuple[str, dict] | None = None

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            self.create()
            return
        if not must_create and self._written == (self.session_key, self._session):
            return
        self._write(must_create)
        self._written = (self.session_key, copy.deepcopy(self._session))

    def _write(self, must_create: bool) -> None:
        if self._signed_in():
            # Otherwise an update: a row that is gone (signed out elsewhere meanwhile) stays gone.
            DBStore.save(self, must_create or self._not_in_database)
            self._not_in_database = False
            # Django's cached_db logs a cache that fails here with a traceback on every
            # request; while Redis is away that is once a minute, like every fallback.
            try:
                self._cache.set(self.cache_key, self._session, self.get_expiry_age())
            except CACHE_UNREACHABLE as error:
                report_unreachable("sessions", error)
            return
        self._cache_alone(must_create)

    def _cache_alone(self, must_create: bool) -> None:
        write = self._cache.add if must_create else self._cache.set
        try:
            stored = write(self.cache_key, self._get_session(no_load=must_create), self.get_expiry_age())
        except CACHE_UNREACHABLE as error:
            # Redis is away: the sign-in in progress is kept in the database instead, where
            # ``load`` finds it while the cache cannot answer.
            report_unreachable("sessions", error)
            DBStore.save(self, must_create=must_create)
            self._not_in_database = False
            return
        if must_create and not stored:
            raise CreateError
