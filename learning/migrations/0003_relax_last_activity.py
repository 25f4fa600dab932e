from django.db import migrations


class Migration(migrations.Migration):
    """Relax mode counts the time the player reports, not page heartbeats: the field says when
    the last of it was counted."""

    dependencies = [("learning", "0002_extras_binge_category_practice_optimizer")]

    operations = [
        migrations.RenameField(
            model_name="learningpreference",
            old_name="relax_last_heartbeat_at",
            new_name="relax_last_activity_at",
        ),
    ]
