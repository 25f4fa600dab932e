from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "Learning modes"

    def ready(self) -> None:
        from learning import receivers

        receivers.connect()
