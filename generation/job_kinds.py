"""The generation app's job kinds (imported by GenerationConfig.ready())."""

from catalog.jobs import RetryPolicy, register_job_kind

# A model server that times out or drops the connection (the OpenAI-compatible backend wraps
# both in GeneratorError; the policy follows the chain) gets three more tries, 30 s apart and
# doubling. Drafts already written are kept: the pipeline resumes where it stopped.
GENERATE_COPY = register_job_kind(
    "generate_copy",
    "Product copy",
    "generation.tasks.run_generation_job",
    queue="gpu",
    retry=RetryPolicy(backoff_s=30),
)
