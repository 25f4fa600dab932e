"""The three plans Lumen sells, with starting prices (edit them in the admin)."""

from django.db import migrations

PLANS = [
    ("basic", "Basic", 900, 9000, "Every Basic course\nProgress tracking and certificates"),
    ("pro", "Pro", 1900, 19000, "Everything in Basic\nEvery Pro course\nAI study tools"),
    (
        "premium",
        "Premium",
        3900,
        39000,
        "Everything in Pro\nEvery Premium course\nEarly access to new courses",
    ),
]


def create_plans(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    for tier, name, monthly, yearly, features in PLANS:
        Plan.objects.get_or_create(
            tier=tier,
            defaults={
                "name": name,
                "monthly_price_cents": monthly,
                "yearly_price_cents": yearly,
                "features": features,
            },
        )


def delete_plans(apps, schema_editor):
    apps.get_model("billing", "Plan").objects.filter(
        tier__in=[tier for tier, *_ in PLANS], subscriptions__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_plans_purchases_affiliates")]

    operations = [migrations.RunPython(create_plans, delete_plans)]
