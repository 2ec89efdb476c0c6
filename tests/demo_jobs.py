"""A job kind for the tests only, to exercise the job machinery without a model.

`demo_count` counts to params["count"], one step per params["step_s"] seconds; params["fail"]
raises an unexpected error, params["reject"] a `JobFailed` for the merchant, and
params["transient_failures"] makes the first n attempts time out. Registered in the test process
by tests/conftest.py and in the test worker by `celery worker --include tests.demo_jobs`.
"""

from __future__ import annotations

import time

from catalog import jobs
from catalog.models import Job

# The default policy (3 retries) with a short backoff, so that a real worker's retry is quick.
DEMO_COUNT = jobs.register_job_kind(
    "demo_count",
    "Demo count",
    "tests.demo_jobs.run_demo_count_job",
    queue="default",
    retry=jobs.RetryPolicy(backoff_s=0.2),
)


@jobs.job_task(DEMO_COUNT)
def run_demo_count_job(job: Job, run: jobs.JobRun) -> dict:
    if job.attempts <= int(job.params.get("transient_failures", 0)):
        raise TimeoutError("model server timed out")
    count = int(job.params.get("count", 5))
    step_s = float(job.params.get("step_s", 0.1))
    run.set_total(count)
    for done in range(job.progress_done + 1, count + 1):
        time.sleep(step_s)
        run.progress(done)
    if job.params.get("fail"):
        raise RuntimeError(job.params["fail"])
    if job.params.get("reject"):
        raise jobs.JobFailed(job.params["reject"], result={"counted": count})
    return {"counted": count}
