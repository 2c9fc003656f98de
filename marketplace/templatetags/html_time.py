"""``html_datetime``: a moment as HTML's ``<time datetime>`` accepts it.

Django's ``date:'c'`` keeps microseconds, which the HTML grammar for a global date and
time does not allow; this gives seconds and the offset, in the current time zone.

    <time datetime="{{ order.created_at|html_datetime }}">…</time>
"""

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def html_datetime(value) -> str:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return ""
