from django.urls import path

from billing.api import views

urlpatterns = [
    path("plans", views.PlanListApi.as_view(), name="billing-plans"),
    path("checkout", views.CheckoutCreateApi.as_view(), name="billing-checkout"),
    path("subscription", views.SubscriptionDetailApi.as_view(), name="billing-subscription"),
    path("entitlements", views.EntitlementListApi.as_view(), name="billing-entitlements"),
    path("affiliate", views.AffiliateStatsApi.as_view(), name="billing-affiliate"),
    path("revenue", views.RevenueReportApi.as_view(), name="billing-revenue"),
]
