from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("", views.my_orders, name="mine"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/parts/<int:part>/cancel/", views.buyer_cancel, name="buyer_cancel"),
    path("<int:pk>/parts/<int:part>/return/", views.return_create, name="return_create"),
    path("lines/<int:line_id>/review/", views.review_create, name="review_create"),
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/lines/<int:line_id>/", views.cart_update, name="cart_update"),
    path("cart/lines/<int:line_id>/remove/", views.cart_remove, name="cart_remove"),
    path("checkout/", views.checkout_address, name="checkout"),
    path("checkout/review/", views.checkout_review, name="checkout_review"),
    path("checkout/place/", views.checkout_place, name="checkout_place"),
    path("selling/", views.seller_queue, name="seller_queue"),
    path("selling/confirm/", views.seller_bulk_confirm, name="seller_bulk_confirm"),
    path("selling/<int:pk>/", views.seller_order, name="seller_order"),
    path("selling/statements/", views.statements, name="statements"),
    path("selling/statements/<int:year>-<int:month>/", views.statement, name="statement"),
    path(
        "selling/statements/<int:year>-<int:month>/statement.csv",
        views.statement_csv,
        name="statement_csv",
    ),
    path("selling/<int:pk>/packing-slip/", views.packing_slip, name="packing_slip"),
    path(
        "selling/<int:pk>/returns/<int:return_pk>/",
        views.return_decide,
        name="return_decide",
    ),
    path("selling/reviews/<int:review_pk>/reply/", views.review_reply, name="review_reply"),
]
