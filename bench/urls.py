"""The site's URLs plus a bare page: ``base.html`` rendered with no query, the floor
that the catalog benchmark compares every page with (same middleware, same layout)."""

from django.shortcuts import render
from django.urls import path

from marketplace.urls import urlpatterns as site_urlpatterns


def bare(request):
    return render(request, "base.html")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *site_urlpatterns]
