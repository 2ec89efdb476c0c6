"""Jobs that recover by themselves: heartbeats, the reaper, leases, and sends while the broker
is down. The last tests kill -9 a real worker mid-job and let a new worker and the beat-driven
reaper finish it, with nobody pressing retry."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from catalog import jobs, services
from catalog.csv_io.imports import create_import_job
from catalog.models import Interaction, Job, JobStatus
from catalog.services import save_product
from generation.models import Draft, DraftVersion
from generation.services import Selection, create_generation_job
from tests.catalog.csv_helpers import csv_file
from tests.conftest import ROOT, WORKER_COMMAND, wait_for, worker_env
from tests.demo_jobs import run_demo_count_job


def make_job(shop, **params) -> Job:
    return Job.objects.create(shop=shop, kind="demo_count", params=params)


def silent_for(job: Job, seconds: float) -> None:
    """Make `job` a running job whose last heartbeat is `seconds` old (its worker died)."""
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        attempts=1,
        heartbeat_at=timezone.now() - timedelta(seconds=seconds),
    )


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    """Records the jobs sent to the broker instead of sending them."""
    sent_ids: list[int] = []

    def fake_send(job_id: int) -> bool:
        sent_ids.append(job_id)
        return True

    monkeypatch.setattr(jobs, "enqueue_job", fake_send)
    return sent_ids


# --- The reaper -------------------------------------------------------------------------------


def test_reaper_requeues_a_silent_running_job_which_then_resumes(shop, sent, settings):
    job = make_job(shop, count=4, step_s=0)
    silent_for(job, settings.SHOPLLM_JOB_HEARTBEAT_TIMEOUT_S + 1)
    Job.objects.filter(pk=job.pk).update(progress_done=2, progress_total=4)

    assert jobs.reap_lost_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.worker_losses == 1 and job.task_id == ""
    assert "worker running this job was lost (1 of 3)" in job.error
    assert sent == [job.pk]

    assert run_demo_count_job(job.pk) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert (job.progress_done, job.attempts, job.error) == (4, 2, "")


def test_reaper_leaves_a_job_that_still_beats(shop, sent, settings):
    job = make_job(shop, count=4)
    silent_for(job, settings.SHOPLLM_JOB_HEARTBEAT_TIMEOUT_S - 5)
    assert jobs.reap_lost_jobs() == 0
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING and sent == []


def test_a_second_reaper_finds_nothing_left_to_do(shop, sent, settings):
    job = make_job(shop, count=4)
    silent_for(job, settings.SHOPLLM_JOB_HEARTBEAT_TIMEOUT_S + 1)
    assert [jobs.reap_lost_jobs(), jobs.reap_lost_jobs()] == [1, 0]
    assert sent == [job.pk] and Job.objects.get(pk=job.pk).worker_losses == 1


def test_reaper_does_not_act_on_a_job_that_beat_after_it_looked(shop, sent, settings, monkeypatch):
    """The compare-and-set: the worker's beat lands between the reaper's read and its write."""
    job = make_job(shop, count=4)
    silent_for(job, settings.SHOPLLM_JOB_HEARTBEAT_TIMEOUT_S + 1)
    real_filter = Job.objects.filter

    def filter_then_beat(*args, **kwargs):
        queryset = real_filter(*args, **kwargs)
        if "heartbeat_at" in kwargs:  # the reaper's compare-and-set
            real_filter(pk=job.pk).update(heartbeat_at=timezone.now())
        return queryset

    monkeypatch.setattr(Job.objects, "filter", filter_then_beat)
    assert jobs.reap_lost_jobs() == 0
    assert real_filter(pk=job.pk).get().status == JobStatus.RUNNING and sent == []


def test_worker_losses_are_bounded_then_the_job_fails_with_the_reason(shop, sent, settings):
    settings.SHOPLLM_JOB_MAX_WORKER_LOSSES = 3
    job = make_job(shop, count=4)
    silent_for(job, settings.SHOPLLM_JOB_HEARTBEAT_TIMEOUT_S + 1)
    Job.objects.filter(pk=job.pk).update(worker_losses=2)

    assert jobs.reap_lost_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert "was lost 3 times" in job.error and job.can_retry
    assert sent == []


# --- Claims and leases ------------------------------------------------------------------------


def test_a_second_delivery_while_the_job_runs_is_a_no_op(shop, settings):
    job = make_job(shop, count=2, step_s=0)
    silent_for(job, 1)  # running elsewhere, beating
    assert run_demo_count_job(job.pk) == "skipped"
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.attempts == 1 and job.progress_done == 0


def test_a_resent_job_runs_once_however_many_messages_arrive(shop):
    """The sweeper re-sends a job whose first message did arrive: the second delivery finds it
    finished and does nothing."""
    job = make_job(shop, count=3, step_s=0)
    assert run_demo_count_job(job.pk) == JobStatus.SUCCEEDED
    assert run_demo_count_job(job.pk) == "skipped"
    job.refresh_from_db()
    assert job.attempts == 1 and job.progress_done == 3


def test_a_worker_whose_job_was_taken_over_stops_at_its_next_report(shop):
    job = make_job(shop, count=4)
    silent_for(job, 1)
    stale_handle = jobs.JobRun(Job.objects.get(pk=job.pk))
    Job.objects.filter(pk=job.pk).update(attempts=2)  # another worker claimed it since
    with pytest.raises(jobs.LeaseLost):
        stale_handle.progress(1)
    assert Job.objects.get(pk=job.pk).progress_done == 0


def test_a_cancelled_job_still_stops_as_cancelled(shop):
    job = make_job(shop, count=4)
    silent_for(job, 1)
    handle = jobs.JobRun(Job.objects.get(pk=job.pk))
    jobs.cancel_job(job)
    with pytest.raises(jobs.JobCancelled) as raised:
        handle.progress(1)
    assert not isinstance(raised.value, jobs.LeaseLost)


@pytest.mark.django_db(transaction=True)
def test_heartbeat_thread_beats_during_one_long_step(shop, settings):
    settings.SHOPLLM_JOB_HEARTBEAT_S = 0.1
    job = make_job(shop)
    beats: list = []

    def one_long_step(job: Job, run: jobs.JobRun) -> dict:
        first = Job.objects.get(pk=job.pk).heartbeat_at
        time.sleep(1.0)  # no progress report in here
        beats.extend([first, Job.objects.get(pk=job.pk).heartbeat_at])
        return {}

    assert jobs.run_job(job.pk, one_long_step) == JobStatus.SUCCEEDED
    first, later = beats
    assert later - first >= timedelta(seconds=0.5)


# --- Broker down at enqueue -------------------------------------------------------------------


@pytest.fixture
def broker_down(monkeypatch):
    from shopllm_site.celery import app

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("Error 111 connecting to redis")

    monkeypatch.setattr(app, "send_task", refuse)
    return app


def test_broker_down_is_said_plainly_on_the_job(
    shop, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.create_job(shop, "demo_count", params={"count": 1})
    assert job.delayed and job.enqueue_error == jobs.BROKER_DOWN_MESSAGE
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


@pytest.mark.django_db(transaction=True)
def test_api_job_body_and_pages_say_the_job_server_is_unreachable(
    shop, owner_api, owner_client, broker_down
):
    """Real commits (no test transaction): the send runs when the service's writes commit,
    before the view answers, as it does in production."""
    job = make_job(shop, count=1)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    response = owner_api.post(f"/api/v1/jobs/{job.pk}/retry/")
    assert response.status_code == 200
    assert response.json()["delayed"] is True
    assert "unreachable" in response.json()["enqueue_error"]
    page = owner_client.get(f"/jobs/{job.pk}/")
    assert b"the job server is unreachable" in page.content
    rows = owner_client.get("/jobs/")
    assert b"the job server is unreachable" in rows.content


def test_a_job_never_sent_goes_at_the_next_sweep_and_is_no_longer_delayed(
    shop, broker_down, monkeypatch, settings
):
    settings.SHOPLLM_JOB_REQUEUE_AFTER_S = 300
    job = make_job(shop, count=1)
    assert jobs.enqueue_job(job.pk) is False
    monkeypatch.setattr(
        broker_down, "send_task", lambda *args, **kwargs: SimpleNamespace(id="task-1")
    )
    assert jobs.requeue_stuck_jobs() == 0  # within the creator's own send
    Job.objects.filter(pk=job.pk).update(
        queued_at=timezone.now() - timedelta(seconds=jobs.NEVER_SENT_GRACE_S + 1)
    )
    assert jobs.requeue_stuck_jobs() == 1  # one tick later, long before REQUEUE_AFTER_S
    job.refresh_from_db()
    assert job.task_id == "task-1" and not job.delayed and job.enqueue_error == ""


def test_a_sent_job_waiting_its_turn_is_not_resent_before_requeue_after(shop, sent, settings):
    settings.SHOPLLM_JOB_REQUEUE_AFTER_S = 300
    job = make_job(shop, count=1)
    Job.objects.filter(pk=job.pk).update(
        task_id="task-1", queued_at=timezone.now() - timedelta(seconds=120)
    )
    assert jobs.requeue_stuck_jobs() == 0
    Job.objects.filter(pk=job.pk).update(queued_at=timezone.now() - timedelta(seconds=301))
    assert jobs.requeue_stuck_jobs() == 1 and sent == [job.pk]


def test_default_settings_recover_within_the_promised_times():
    """A dead worker's job is re-queued within 2 minutes, a never-sent job sent within 1."""
    sweep = django_settings.SHOPLLM_JOB_SWEEP_S
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    sweeps = [
        entry
        for entry in schedule.values()
        if entry["task"] in ("catalog.tasks.requeue_stuck_jobs", "catalog.tasks.reap_lost_jobs")
    ]
    assert len(sweeps) == 2 and all(entry["schedule"] <= sweep for entry in sweeps)
    assert django_settings.SHOPLLM_JOB_HEARTBEAT_TIMEOUT_S + sweep <= 120
    assert jobs.NEVER_SENT_GRACE_S + sweep <= 60
    visibility = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility >= jobs.RetryPolicy().backoff_max_s


# --- A real worker killed mid-job -------------------------------------------------------------

FAST = {
    "SHOPLLM_JOB_HEARTBEAT_S": "1",
    "SHOPLLM_JOB_HEARTBEAT_TIMEOUT_S": "3",
    "SHOPLLM_JOB_SWEEP_S": "1",
}


@pytest.fixture
def fast_recovery(monkeypatch, settings):
    """Short heartbeat and sweep for the worker and beat processes (read from the environment)
    and for this process."""
    for name, value in FAST.items():
        monkeypatch.setenv(name, value)
        setattr(settings, name, int(value))


class Stack:
    """The processes a test starts besides the fixture's worker: a second worker, beat."""

    def __init__(self, env: dict[str, str], run_dir: Path):
        self.env = env
        self.run_dir = run_dir
        self.processes: list[subprocess.Popen] = []

    def start(self, name: str, command: list[str], ready: str = "") -> subprocess.Popen:
        log_path = self.run_dir / f"{name}-{uuid.uuid4().hex[:6]}.log"
        with log_path.open("w") as log_file:
            process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log_file, stderr=subprocess.STDOUT
            )
        self.processes.append(process)
        if ready:
            wait_for(lambda: ready in log_path.read_text() or process.poll() is not None, 60)
            assert process.poll() is None, log_path.read_text()[-3000:]
        return process

    def start_worker(self) -> subprocess.Popen:
        return self.start("worker", WORKER_COMMAND, ready="ready.")

    def start_beat(self) -> subprocess.Popen:
        schedule = self.run_dir / f"beat-{uuid.uuid4().hex[:6]}"
        command = [sys.executable, "-m", "celery", "-A", "shopllm_site", "beat"]
        return self.start("beat", [*command, "-s", str(schedule), "--max-interval", "1"])

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def stack(fast_recovery, celery_worker, redis_url, redis_key_prefix, settings, tmp_path):
    running = Stack(worker_env(settings, redis_url, redis_key_prefix), tmp_path)
    running.start_beat()
    yield running
    running.stop()


def kill_hard(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@pytest.mark.worker
def test_killed_worker_mid_job_is_recovered_by_the_reaper_and_a_new_worker(
    stack, celery_worker, shop
):
    job = jobs.create_job(shop, "demo_count", params={"count": 30, "step_s": 0.1})
    wait_for(lambda: Job.objects.filter(pk=job.pk, progress_done__gte=5).exists(), 60)
    kill_hard(celery_worker)
    killed_at = time.monotonic()
    stack.start_worker()

    finished = wait_for(lambda: Job.objects.filter(pk=job.pk, status="succeeded").first(), 90)
    assert time.monotonic() - killed_at < 60
    assert finished.progress_done == 30 and finished.result == {"counted": 30}
    assert finished.worker_losses == 1 and finished.attempts == 2 and finished.error == ""


# Several write chunks on either database (5,000 rows per batch on SQLite, 20,000 per chunk on
# PostgreSQL), so that the worker can be killed between two of them.
INTERACTION_ROWS = 70_000


@pytest.mark.worker
def test_killed_worker_mid_import_loses_and_duplicates_no_row(stack, celery_worker, shop):
    services.upsert_products(shop, [{"sku": f"SKU-{n}", "title": f"Mug {n}"} for n in range(20)])
    services.upsert_customers(shop, [{"external_id": f"c{n}"} for n in range(50)])
    # Each row's value is its own number, so a lost or doubled row shows in the stored values.
    lines = ["customer_id,sku,kind,quantity,value"]
    lines += [f"c{n % 50},SKU-{n % 20},purchase,1,{n}" for n in range(INTERACTION_ROWS)]
    job = create_import_job(shop, "interactions", csv_file("\n".join(lines) + "\n"))

    def partly_written():
        row = Job.objects.filter(pk=job.pk).values("progress_done", "progress_total").get()
        return 0 < row["progress_done"] < row["progress_total"]

    wait_for(partly_written, 120, interval=0.02)
    kill_hard(celery_worker)
    stack.start_worker()

    finished = wait_for(lambda: Job.objects.filter(pk=job.pk, status="succeeded").first(), 180)
    assert finished.worker_losses == 1 and "Resumed after" in finished.result["summary"]
    values = sorted(Interaction.objects.filter(shop=shop).values_list("value", flat=True))
    assert values == [Decimal(n) for n in range(INTERACTION_ROWS)]


class SlowModelServer(ThreadingHTTPServer):
    """An OpenAI-compatible chat-completions server that answers each request slowly with the
    same copy, so that a generation job in a real worker is still mid-way when it is killed."""

    daemon_threads = True
    answer = "A sturdy bottle that keeps drinks cold on long walks."
    delay_s = 0.3

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SlowCompletion)
        self.requests = 0

    def handle_error(self, request, client_address) -> None:
        pass  # the killed worker's connections break mid-answer: expected here

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class SlowCompletion(BaseHTTPRequestHandler):
    server: SlowModelServer

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests += 1
        time.sleep(self.server.delay_s)
        body = json.dumps({"choices": [{"message": {"content": self.server.answer}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def slow_model(monkeypatch):
    """The workers' generator: the slow server above, through the openai backend (set in the
    environment before the workers start), two products per generate() call."""
    server = SlowModelServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("SHOPLLM_GENERATOR_BACKEND", "openai")
    monkeypatch.setenv("SHOPLLM_OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("SHOPLLM_GENERATOR_BATCH_SIZE", "2")
    yield server
    server.shutdown()
    server.server_close()


GENERATED_PRODUCTS = 12


@pytest.mark.worker
def test_killed_worker_mid_generation_duplicates_and_loses_no_draft(
    slow_model, stack, celery_worker, shop
):
    products = [
        save_product(
            shop,
            {
                "sku": f"BOT-{n}",
                "title": f"Trail Bottle {n}",
                "brand": "Acme",
                "category": "Kitchen > Drinkware > Bottles",
                "attributes": {"capacity": "750 ml", "material": "stainless steel"},
            },
        )
        for n in range(GENERATED_PRODUCTS)
    ]
    job = create_generation_job(
        shop, Selection(product_ids=[p.pk for p in products]), fields=["description"]
    )

    def partly_drafted() -> bool:
        written = DraftVersion.objects.filter(job=job).count()
        return 2 <= written < GENERATED_PRODUCTS

    wait_for(partly_drafted, 120, interval=0.05)
    kill_hard(celery_worker)
    drafted_before = DraftVersion.objects.filter(job=job).count()
    stack.start_worker()

    finished = wait_for(lambda: Job.objects.filter(pk=job.pk, status="succeeded").first(), 180)
    assert finished.worker_losses == 1 and finished.attempts == 2 and finished.error == ""
    assert finished.progress_done == GENERATED_PRODUCTS
    # The resumed attempt drafted only what the killed one had not.
    assert finished.result["drafted"] == GENERATED_PRODUCTS - drafted_before
    per_product = Counter(
        DraftVersion.objects.filter(job=job).values_list("draft__product_id", flat=True)
    )
    assert per_product == Counter({p.pk: 1 for p in products})
    drafts = Draft.objects.filter(product__in=products, field="description")
    assert drafts.count() == GENERATED_PRODUCTS
    assert all(draft.versions.count() == 1 for draft in drafts)
