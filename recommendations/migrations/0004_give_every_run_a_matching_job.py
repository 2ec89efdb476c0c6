"""A run's status, error and finish time are its job's: drop the run's copies.

Before dropping them, make every job agree with what its run recorded, so that no run changes
what it shows or whether it is served: a run without a job (its job was deleted) gets a job
holding its old state, and a run whose lists were stored (succeeded) while its job ended
otherwise (cancelled during the last step) gets a succeeded job. 0005 then drops the copies
(a migration of its own: PostgreSQL cannot alter a table in the transaction that wrote it).
"""

from django.db import migrations


def give_every_run_a_matching_job(apps, schema_editor):
    Job = apps.get_model("catalog", "Job")
    RecommendationRun = apps.get_model("recommendations", "RecommendationRun")
    for run in RecommendationRun.objects.filter(job__isnull=True).iterator():
        # A run without its job was never going to be picked up again: an unfinished one failed.
        status = run.status if run.status in ("succeeded", "failed") else "failed"
        run.job = Job.objects.create(
            shop_id=run.shop_id,
            kind="recommendation_run",
            status=status,
            error=run.error or ("" if status == "succeeded" else "Its job was removed."),
            progress_done=100 if status == "succeeded" else 0,
            progress_total=100,
            queued_at=run.created_at,
            finished_at=run.finished_at or run.created_at,
        )
        run.save(update_fields=["job"])
    stored = RecommendationRun.objects.filter(status="succeeded").exclude(job__status="succeeded")
    for run in stored.select_related("job").iterator():
        Job.objects.filter(pk=run.job_id).update(
            status="succeeded", error="", finished_at=run.finished_at or run.job.finished_at
        )


def copy_job_state_back_to_runs(apps, schema_editor):
    RecommendationRun = apps.get_model("recommendations", "RecommendationRun")
    for run in RecommendationRun.objects.select_related("job").iterator():
        job = run.job
        run.status = "failed" if job.status == "cancelled" else job.status
        run.error = job.error
        run.finished_at = job.finished_at
        run.save(update_fields=["status", "error", "finished_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_product_text_search_indexes"),
        ("recommendations", "0003_run_last_interaction_id"),
    ]

    operations = [
        migrations.RunPython(give_every_run_a_matching_job, copy_job_state_back_to_runs),
    ]
