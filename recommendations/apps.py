from django.apps import AppConfig

NIGHTLY_ENTRY = "recommendations-nightly-runs"


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from celery.schedules import crontab
        from django.conf import settings

        from catalog.panels import register_panel
        from catalog.privacy import register_personal_data
        from recommendations import job_kinds  # noqa: F401  (registers "recommendation_run")
        from recommendations.privacy import erase_recommendations, export_recommendations

        register_panel("product", "recommendations/_product_panel.html", order=20)
        register_panel("customer", "recommendations/_customer_panel.html")
        register_personal_data("recommendations", export_recommendations, erase_recommendations)
        # Nightly runs: added to the beat schedule here so that settings.py stays untouched. The
        # dict is mutated in place, so Celery sees it whether or not its config is loaded yet.
        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        if isinstance(schedule, dict):
            schedule.setdefault(
                NIGHTLY_ENTRY,
                {
                    "task": "recommendations.tasks.start_nightly_runs",
                    "schedule": crontab(hour=2, minute=30),
                },
            )
