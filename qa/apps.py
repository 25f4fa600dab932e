from django.apps import AppConfig


class QaConfig(AppConfig):
    name = "qa"
    verbose_name = "Peer help center"

    def ready(self) -> None:
        from qa import receivers

        receivers.connect()
