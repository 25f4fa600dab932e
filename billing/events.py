"""The domain events billing publishes, each sent after commit and once per fact, from where the
Stripe webhook handlers (and the refund actions) bring Lumen's records up to date. Other apps
(notifications) connect receivers in their AppConfig.ready().

Subscription events carry `subscription: Subscription` (subscriber, plan, status,
current_period_end):
- subscription_started: it became active (or trialing) for the first time.
- subscription_renewed: a renewal invoice (Stripe's billing_reason "subscription_cycle") was
  paid; also `invoice: Invoice`.
- subscription_cancelled: it ended (status canceled), in Stripe or by a refund of its invoice.
- subscription_past_due: a renewal payment failed; access holds for BILLING_GRACE_PERIOD_DAYS.

Payment events carry `user`, `amount_cents: int`, `currency: str`, `reference: str` (the Stripe
id of the invoice or Checkout session: stable, for deduplication), `reason: str` ("purchase", or
the invoice's billing_reason: "subscription_create", "subscription_cycle", ...), and
`invoice: Invoice | None`, `purchase: Purchase | None`:
- payment_succeeded: an invoice was paid (amount > 0) or a one-time purchase was paid.
- payment_failed: an invoice's payment failed, or a Checkout session's delayed payment did.
- refund_issued: a purchase or an invoice was refunded in full (from Lumen's admin or Stripe's
  dashboard); access it gave ends.
"""

from django.dispatch import Signal

subscription_started = Signal()
subscription_renewed = Signal()
subscription_cancelled = Signal()
subscription_past_due = Signal()
payment_succeeded = Signal()
payment_failed = Signal()
refund_issued = Signal()
