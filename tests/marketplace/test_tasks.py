"""Celery tasks run on a real worker consuming the real broker."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from marketplace.tasks import clear_expired_sessions

pytestmark = pytest.mark.redis


@pytest.mark.django_db(transaction=True)
def test_expired_sessions_are_cleared_by_the_worker(celery_worker):
    now = timezone.now()
    Session.objects.create(session_key="expired", session_data="", expire_date=now - timedelta(1))
    Session.objects.create(session_key="current", session_data="", expire_date=now + timedelta(1))

    clear_expired_sessions.delay()

    deadline = time.monotonic() + 20
    while Session.objects.filter(session_key="expired").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(Session.objects.values_list("session_key", flat=True)) == ["current"]
