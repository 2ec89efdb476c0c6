"""The copy model's training job kind and its task (imported by TrainingConfig.ready())."""

from catalog import jobs
from catalog.models import Job

# Training is long and not worth repeating blindly after an error: a failed run is retried by a
# person (it resumes from its last checkpoint). A worker that dies is handled by the reaper,
# which puts the job back in the queue; the run then resumes from its checkpoint too.
TRAIN_COPY_MODEL = jobs.register_job_kind(
    "train_copy_model",
    "Copy model training",
    "training.job_kinds.run_copy_model_training",
    queue="gpu",
    retry=jobs.NO_RETRY,
)


@jobs.job_task(TRAIN_COPY_MODEL)
def run_copy_model_training(job: Job, run: jobs.JobRun) -> dict:
    """Train (or resume) the job's copy-model version, then evaluate it (training/generator_run)."""
    from training.generator_run import run_copy_model_training as work

    return work(job, run)
