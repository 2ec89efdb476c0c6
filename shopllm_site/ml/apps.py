from django.apps import AppConfig


class MlConfig(AppConfig):
    """Installed only for its management command (prepare_models); it has no models or pages."""

    name = "shopllm_site.ml"
    label = "ml"
    verbose_name = "Models"
