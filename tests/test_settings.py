import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from shopllm_site.env import env_bool, env_choice, env_float, env_int

ROOT = Path(__file__).resolve().parent.parent


def test_env_helpers_fail_loudly_on_bad_values(monkeypatch):
    monkeypatch.setenv("SHOPLLM_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SHOPLLM_X must be a boolean"):
        env_bool("SHOPLLM_X", False)
    monkeypatch.setenv("SHOPLLM_X", "eight")
    with pytest.raises(ImproperlyConfigured, match="must be an integer"):
        env_int("SHOPLLM_X", 1)
    monkeypatch.setenv("SHOPLLM_X", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("SHOPLLM_X", 1, minimum=1)
    monkeypatch.setenv("SHOPLLM_X", "lots")
    with pytest.raises(ImproperlyConfigured, match="must be a number"):
        env_float("SHOPLLM_X", 1.0)
    monkeypatch.setenv("SHOPLLM_X", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_float("SHOPLLM_X", 1.0, minimum=0)
    monkeypatch.setenv("SHOPLLM_X", "tpu")
    with pytest.raises(ImproperlyConfigured, match="must be one of"):
        env_choice("SHOPLLM_X", "cpu", ("cpu", "cuda"))


def test_env_helpers_read_good_values(monkeypatch):
    monkeypatch.setenv("SHOPLLM_X", "off")
    assert env_bool("SHOPLLM_X", True) is False
    monkeypatch.setenv("SHOPLLM_X", "42")
    assert env_int("SHOPLLM_X", 1) == 42
    monkeypatch.setenv("SHOPLLM_X", "inf")
    assert env_float("SHOPLLM_X", 5.0, minimum=0) == float("inf")


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
    full_env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True
    )


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz!",
        ALLOWED_HOSTS="shop.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    env = {"DEBUG": "0", "SECRET_KEY": ""}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
