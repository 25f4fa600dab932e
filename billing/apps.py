from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from allauth.account.signals import user_signed_up

        from billing import receivers, stripe_client
        from billing.entitlements import SubscriptionEntitlements
        from courses import entitlements

        entitlements.register_provider(SubscriptionEntitlements())
        user_signed_up.connect(receivers.credit_referral_on_signup, dispatch_uid="billing-referral")
        # After dj-stripe's own handlers (djstripe is earlier in INSTALLED_APPS), so the objects
        # our receivers read are already synced when they run.
        receivers.connect_stripe_events()
        stripe_client.global_client_configure()
