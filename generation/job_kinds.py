from catalog.jobs import register_job_kind

register_job_kind(
    "generate_copy", "Product copy", "generation.tasks.run_generation_job", queue="gpu"
)
