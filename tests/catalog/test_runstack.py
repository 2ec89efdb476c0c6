"""`runstack` stops every child it started, even when Ctrl-C is pressed again while it stops."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.management.commands.runstack import kill_group
from tests.conftest import ROOT, wait_for


def live_groups(groups: set[int]) -> dict[int, int]:
    """{pid: pgid} of every live (not zombie) process in one of `groups`."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        # "pid (comm) state ppid pgrp ...": comm may hold spaces, so split after its ")".
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) in groups and state != "Z":
            found[int(entry.name)] = int(pgrp)
    return found


@pytest.mark.worker
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process groups from /proc")
def test_ctrl_c_twice_while_stopping_leaves_no_child_running(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "DATABASE_URL", "CELERY_BROKER_URL")
    }
    env.update(SHOPLLM_VAR_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    log_path = tmp_path / "runstack.log"
    with log_path.open("w") as log_file:
        stack = subprocess.Popen(
            [sys.executable, "manage.py", "runstack", "--no-web"],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )

    def started() -> dict[str, int]:
        pids = re.findall(r"started (\S+) \(pid (\d+)\)", log_path.read_text())
        return {name: int(pid) for name, pid in pids}

    try:
        wait_for(lambda: len(started()) == 3 or stack.poll() is not None, 60)
        children = started()
        assert set(children) == {"redis", "worker-default", "worker-gpu"}, log_path.read_text()
        # Each child leads its own group; the groups also hold the prefork pool's processes.
        groups = set(children.values())
        wait_for(lambda: len(live_groups(groups)) > len(groups), 60)  # the pool is up

        stack.send_signal(signal.SIGINT)
        # A busy CI machine can be slow to run the handler; a child that died says so in the log.
        wait_for(lambda: "Stopping" in log_path.read_text() or stack.poll() is not None, 30)
        assert "Stopping" in log_path.read_text(), log_path.read_text()[-3000:]
        stack.send_signal(signal.SIGINT)
        stack.wait(timeout=30)

        # Gone by the time runstack returns: nothing is left to finish stopping on its own.
        assert live_groups(groups) == {}, log_path.read_text()[-3000:]
    finally:
        if stack.poll() is None:
            stack.kill()
        for pgid in set(started().values()):
            kill_group(pgid)
