from django.db import migrations

ACTION = "answer_rated"


def forwards(apps, schema_editor):
    """A saved XP table made before Q&A awards went through the formula holds base 0 and no cap
    for them (both meant "the asker's amount as it is"): give them the formula's defaults, so
    a 1-10 award keeps its worth instead of becoming 0 XP."""
    setting = apps.get_model("gamification", "XpActionSetting")
    setting.objects.filter(action=ACTION, base=0).update(base=1)
    setting.objects.filter(action=ACTION, daily_cap__isnull=True).update(daily_cap=200)


def backwards(apps, schema_editor):
    setting = apps.get_model("gamification", "XpActionSetting")
    setting.objects.filter(action=ACTION, base=1).update(base=0)
    setting.objects.filter(action=ACTION, daily_cap=200).update(daily_cap=None)


class Migration(migrations.Migration):
    dependencies = [("gamification", "0003_xp_table_in_the_admin")]

    operations = [migrations.RunPython(forwards, backwards)]
