from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    """A/B experiments on recommendation configurations and copy variants, with their
    statistics. The top floor: it may import every app, and none imports it."""

    name = "experiments"
    verbose_name = "Experiments"
    default_auto_field = "django.db.models.BigAutoField"
