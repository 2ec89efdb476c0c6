"""`manage.py evaluate_recommendations <csv>` on a public-style interactions file."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from recommendations.engine.synthetic import planted_groups


def write_csv(path, rows, header=("customer", "product", "timestamp", "kind")):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def test_command_prints_model_beside_popularity_and_model_wins(tmp_path):
    data = planted_groups(200, 100, 4000, n_groups=5, seed=7)
    path = tmp_path / "interactions.csv"
    write_csv(
        path,
        [
            (f"u{u}", f"p{i}", f"{t:.0f}", k)
            for u, i, t, k in zip(data.users, data.items, data.timestamps, data.kinds, strict=True)
        ],
    )
    out = io.StringIO()
    call_command("evaluate_recommendations", str(path), "--factors", "16", stdout=out)
    lines = {line.split()[0]: line.split()[1:] for line in out.getvalue().splitlines() if line}
    assert "popularity" in lines["metric"]
    model_ndcg, popularity_ndcg = float(lines["ndcg@10"][0]), float(lines["ndcg@10"][1])
    assert model_ndcg > 1.5 * popularity_ndcg
    for name in ("recall@10", "map@10", "coverage", "diversity", "novelty", "long_tail_share"):
        assert name in lines


def test_command_accepts_iso_timestamps(tmp_path):
    path = tmp_path / "iso.csv"
    data = planted_groups(50, 30, 600, n_groups=3, seed=2)
    rows = [
        (f"u{u}", f"p{i}", f"2024-01-{1 + int(t / 1e6 * 27):02d}T10:00:00Z", k)
        for u, i, t, k in zip(data.users, data.items, data.timestamps, data.kinds, strict=True)
    ]
    write_csv(path, rows)
    out = io.StringIO()
    call_command("evaluate_recommendations", str(path), "--factors", "4", stdout=out)
    assert "ndcg@10" in out.getvalue()


def test_command_explains_a_missing_column(tmp_path):
    path = tmp_path / "bad.csv"
    write_csv(path, [("u1", "p1")], header=("user", "item"))
    with pytest.raises(CommandError, match="Missing column"):
        call_command("evaluate_recommendations", str(path))


def test_command_explains_a_bad_timestamp(tmp_path):
    path = tmp_path / "bad.csv"
    write_csv(path, [("u1", "p1", "yesterday", "view")])
    with pytest.raises(CommandError, match="Line 2"):
        call_command("evaluate_recommendations", str(path))
