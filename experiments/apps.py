from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    """A/B experiments on recommendation configurations and copy variants, with their
    statistics. The top floor: it may import every app, and none imports it."""

    name = "experiments"
    verbose_name = "Experiments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from catalog.privacy import register_personal_data
        from experiments.privacy import erase_exposures, export_exposures
        from experiments.services import pinned_run
        from recommendations import serving

        register_personal_data("experiments", export_exposures, erase_exposures)

        # A promoted winner's run is served instead of the latest one (recommendations cannot
        # import this app, so the pin is offered to it here).
        serving.register_served_run_resolver(pinned_run)
