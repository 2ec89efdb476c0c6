from django.apps import AppConfig


class AnswersConfig(AppConfig):
    name = "answers"
    verbose_name = "Shopper answers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from answers import job_kinds  # noqa: F401  (registers "answer_questions", "answers_index")
        from answers.privacy import erase_questions, export_questions
        from catalog.panels import register_panel
        from catalog.privacy import register_personal_data

        register_panel("no_shop", "answers/_review_queue_link.html", order=20)
        register_personal_data("questions", export_questions, erase_questions)
