"""Every resolver pattern of the project, named or not, for the tests that walk them all.

The role x URL matrix, the anonymous walk and the POST fuzz all enumerate patterns here,
so a page added anywhere (an app, the project's urls.py, a third-party include) is met by
each of them without being listed by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Pattern:
    """One resolver pattern: ``key`` is its URL name, or its route where it has none."""

    name: str
    route: str

    @property
    def key(self) -> str:
        return self.name or self.route


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else ""
            yield Pattern(name=name, route=prefix + str(entry.pattern))


def url_patterns() -> list[Pattern]:
    """Every pattern once, sorted by key (a name reused by two routes keeps both)."""
    return sorted(set(_walk(get_resolver())), key=lambda p: (p.key, p.route))


_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_ROUTE_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def url_for(pattern: Pattern, kwargs: dict | None = None) -> str:
    """A URL matching ``pattern``: each parameter from ``kwargs``, else a placeholder
    (1 for integers and regex groups, ``x`` otherwise)."""
    kwargs = kwargs or {}

    def route_param(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        return str(kwargs.get(name, "1" if converter == "int" else "x"))

    path = _REGEX_GROUP.sub(lambda m: str(kwargs.get(m.group(1), "1")), pattern.route)
    path = _ROUTE_PARAM.sub(route_param, path)
    path = re.sub(r"\(\?:[^)]*\)\??", "", path)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path
