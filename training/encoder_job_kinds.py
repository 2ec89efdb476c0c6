"""Job kinds of encoder adaptation and their tasks (imported by TrainingConfig.ready()).

Both run on the `gpu` queue: training, and re-embedding the shop's products and facts after the
active encoder changed. The device is SHOPLLM_ENCODER_DEVICE's, so a GPU worker runs them
unchanged.
"""

from __future__ import annotations

from catalog import jobs
from catalog.models import Job

# Training restarts from the base model if its worker was lost; nothing partial is kept.
ENCODER_TRAINING = jobs.register_job_kind(
    "encoder_training",
    "Encoder adaptation",
    "training.encoder_job_kinds.run_encoder_training_job",
    queue="gpu",
    retry=jobs.NO_RETRY,
)
# Re-embedding skips what is already in the active vector space, so a retry repeats nothing.
ENCODER_REEMBED = jobs.register_job_kind(
    "encoder_reembed",
    "Re-embedding after an encoder change",
    "training.encoder_job_kinds.run_encoder_reembed_job",
    queue="gpu",
    retry=jobs.RetryPolicy(backoff_s=30),
)


@jobs.job_task(ENCODER_TRAINING)
def run_encoder_training_job(job: Job, run: jobs.JobRun) -> dict:
    """Train, evaluate and (when better) activate the job's encoder version."""
    from training.encoder_services import run_training_job

    return run_training_job(job, run)


@jobs.job_task(ENCODER_REEMBED)
def run_encoder_reembed_job(job: Job, run: jobs.JobRun) -> dict:
    """Re-embed the shop's products and answer facts in its active vector space."""
    from training.encoder_services import run_reembed_job

    return run_reembed_job(job, run)
