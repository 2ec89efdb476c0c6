"""A fresh database for a bench that drives the job path, destroyed afterwards.

    with throwaway_database("bench_recommendations_speed"):
        ...  # create a shop, run the job

On SQLite a file in a temporary folder; on PostgreSQL the database `name`, never the test
suite's (another pytest run may be using it). Django must be set up first.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def throwaway_database(name: str) -> Iterator[None]:
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    temp_dir = tempfile.TemporaryDirectory(prefix="shopllm-bench-")
    test_settings = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor == "sqlite":
        test_settings["NAME"] = str(Path(temp_dir.name) / "bench.sqlite3")
    else:
        test_settings["NAME"] = name
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    setup_test_environment()
    try:
        yield
    finally:
        teardown_test_environment()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        temp_dir.cleanup()
