from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from allauth.account.signals import user_signed_up

        from billing import receivers
        from billing.entitlements import SubscriptionEntitlements
        from courses import entitlements

        entitlements.register_provider(SubscriptionEntitlements())
        user_signed_up.connect(receivers.credit_referral_on_signup, dispatch_uid="billing-referral")
