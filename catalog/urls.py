from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("search/", views.browse, name="search"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("p/<slug:slug>/", views.product_detail, name="product"),
    path("workspace/", views.workspace_products, name="workspace_products"),
    path("workspace/new/", views.product_create, name="product_create"),
    path("workspace/import/", views.product_import, name="product_import"),
    path("workspace/<int:pk>/", views.product_edit, name="product_edit"),
    path("workspace/<int:pk>/publish/", views.product_publish, name="product_publish"),
    path("workspace/<int:pk>/unpublish/", views.product_unpublish, name="product_unpublish"),
    path("workspace/<int:pk>/archive/", views.product_archive, name="product_archive"),
    path("workspace/<int:pk>/stock/", views.product_stock, name="product_stock"),
    path("workspace/<int:pk>/photos/", views.photo_add, name="photo_add"),
    path("workspace/<int:pk>/photos/<int:photo_pk>/move/", views.photo_move, name="photo_move"),
    path("workspace/<int:pk>/photos/<int:photo_pk>/main/", views.photo_main, name="photo_main"),
    path(
        "workspace/<int:pk>/photos/<int:photo_pk>/delete/",
        views.photo_delete,
        name="photo_delete",
    ),
]
