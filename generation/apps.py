from django.apps import AppConfig


class GenerationConfig(AppConfig):
    name = "generation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from generation import job_kinds  # noqa: F401  (registers "generate_copy")

        # Celery's autodiscovery finds generation.tasks only; the answers' tasks live below it.
        from generation.answers import job_kinds as answer_job_kinds  # noqa: F401
        from generation.answers import tasks as answer_tasks  # noqa: F401
