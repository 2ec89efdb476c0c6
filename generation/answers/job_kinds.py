"""Job kinds of shopper answers (imported by the app's ready(), and by this area's entry points
until that import is in place)."""

from catalog.jobs import register_job_kind

register_job_kind(
    "answer_questions", "Shopper answers", "generation.answers.tasks.run_answer_job", "gpu"
)
register_job_kind(
    "answers_index", "Shopper answers index", "generation.answers.tasks.run_index_job", "gpu"
)
