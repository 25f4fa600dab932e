from django.apps import AppConfig


class AiToolsConfig(AppConfig):
    name = "ai_tools"
    verbose_name = "AI tools"
