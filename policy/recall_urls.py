"""The public recall notices: anyone reads them, and their Atom feed."""

from django.urls import path

from policy.views import recalls

app_name = "recalls"

urlpatterns = [
    path("", recalls.recall_list, name="list"),
    path("feed.atom", recalls.recall_feed, name="feed"),
    path("<int:pk>/", recalls.recall_detail, name="detail"),
]
