from django.apps import AppConfig

NIGHTLY_ENTRY = "recommendations-nightly-runs"


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from celery.schedules import crontab
        from django.conf import settings

        from catalog.jobs import register_job_kind

        register_job_kind(
            "recommendation_run",
            "Recommendation run",
            "recommendations.tasks.run_recommendation_job",
            queue="gpu",
        )
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
