from django.urls import path

from sellers import views

app_name = "sellers"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("c/<slug:slug>/", views.storefront, name="storefront"),
    path("new/", views.onboard, name="onboard"),
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/switch/", views.switch, name="switch"),
    path("workspace/profile/", views.profile, name="profile"),
    path("workspace/resubmit/", views.resubmit, name="resubmit"),
    path("workspace/licence/", views.licence, name="licence"),
    path("workspace/members/", views.members, name="members"),
    path("workspace/members/invite/", views.invite, name="invite"),
    path("workspace/members/<int:pk>/role/", views.member_role, name="member_role"),
    path("workspace/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path(
        "workspace/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("verification/", views.verification_queue, name="verification_queue"),
    path("verification/<int:pk>/", views.verification_detail, name="verification_detail"),
    path(
        "verification/<int:pk>/licence/",
        views.verification_licence,
        name="verification_licence",
    ),
]
