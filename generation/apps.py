from django.apps import AppConfig


class GenerationConfig(AppConfig):
    name = "generation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from catalog.panels import register_panel
        from generation import job_kinds  # noqa: F401  (registers "generate_copy")

        register_panel("product", "generation/_product_panel.html", order=10)
        register_panel("product_list", "generation/_product_list_link.html")
        register_panel("no_shop", "generation/_review_queue_link.html", order=10)
