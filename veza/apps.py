from django.apps import AppConfig


class VezaConfig(AppConfig):
    name = "veza"
    verbose_name = "Veza"

    def ready(self):
        from veza import benchmark  # noqa: F401 (registers its deploy check)
