"""The public certificate pages: anyone checks a number, prints a certificate, reads its QR."""

from django.urls import path

from policy.views import certification

app_name = "certificates"

urlpatterns = [
    path("check/", certification.certificate_check, name="check"),
    path("<int:pk>/", certification.certificate_print, name="print"),
    path("<int:pk>/qr.png", certification.certificate_qr, name="qr"),
]
