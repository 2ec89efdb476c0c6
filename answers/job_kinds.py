"""Job kinds of shopper answers (imported by AnswersConfig.ready())."""

from catalog.jobs import RetryPolicy, register_job_kind

# A model server timing out gets three more tries, 30 s apart and doubling; both kinds resume
# item by item, so a retry repeats no finished work.
ANSWER_QUESTIONS = register_job_kind(
    "answer_questions",
    "Shopper answers",
    "answers.tasks.run_answer_job",
    queue="gpu",
    retry=RetryPolicy(backoff_s=30),
)
ANSWERS_INDEX = register_job_kind(
    "answers_index",
    "Shopper answers index",
    "answers.tasks.run_index_job",
    queue="gpu",
    retry=RetryPolicy(backoff_s=30),
)
