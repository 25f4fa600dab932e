from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("pricing/", views.pricing, name="pricing"),
    path("billing/checkout/", views.checkout, name="checkout"),
    path("billing/checkout/success/", views.checkout_success, name="checkout_success"),
    path("billing/checkout/cancel/", views.checkout_cancel, name="checkout_cancel"),
    path("billing/", views.account, name="account"),
    path("billing/portal/", views.portal, name="portal"),
    path("billing/affiliate/", views.affiliate_dashboard, name="affiliate"),
    path("billing/stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
]
