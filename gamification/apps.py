from django.apps import AppConfig


class GamificationConfig(AppConfig):
    name = "gamification"
    verbose_name = "Gamification"

    def ready(self) -> None:
        from gamification import celebrations, receivers

        receivers.connect()
        celebrations.connect()
