from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for a fresh Veza (``manage.py seed_demo``); no app imports it."""

    name = "demo"
    verbose_name = "Demo data"
