"""The recommender's job kind (imported by RecommendationsConfig.ready())."""

from catalog.jobs import RetryPolicy, register_job_kind

# A run rewrites its own lists, so a retry after a dropped connection starts it over safely.
RECOMMENDATION_RUN = register_job_kind(
    "recommendation_run",
    "Recommendation run",
    "recommendations.tasks.run_recommendation_job",
    queue="gpu",
    retry=RetryPolicy(backoff_s=30),
)
