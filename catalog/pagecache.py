"""Generational fragment caching of the public catalog pages.

Catalog pages are the same for every visitor, so their bodies are cached (the
``{% cache %}`` tag) under a key that includes the catalog's *version*. Every write
that can change what the catalog shows (a product saved, published or suspended, a
photo, a cooperative's status) moves the version after its transaction commits, so
no visitor sees a stale listing; old fragments simply expire. The page around the
fragment (navigation, CSRF tokens) is rendered for each request.
"""

import time

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

VERSION_KEY = "catalog:version"
FRAGMENT_SECONDS = 600


def catalog_version() -> str:
    """The version in fragment keys: the last write's, and the day, since a certificate's
    stars lapse at midnight with no write."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return f"{version}.{timezone.localdate().isoformat()}"


def _bump() -> None:
    cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def catalog_changed() -> None:
    """Retire every cached catalog fragment, now and again once the current
    transaction commits: a page rendered between the two from the not yet committed
    state is retired by the second move."""
    _bump()
    transaction.on_commit(_bump)
