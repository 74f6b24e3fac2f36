from django.apps import AppConfig


class VezaConfig(AppConfig):
    name = "veza"
    verbose_name = "Veza"
