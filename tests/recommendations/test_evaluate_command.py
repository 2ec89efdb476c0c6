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


def _table(output: str) -> dict[str, list[str]]:
    return {line.split()[0]: line.split()[1:] for line in output.splitlines() if line.strip()}


def _planted_csv(tmp_path, seed=7, n_users=200, n_interactions=4000):
    data = planted_groups(n_users, 100, n_interactions, n_groups=5, seed=seed)
    path = tmp_path / "interactions.csv"
    write_csv(
        path,
        [
            (f"u{u}", f"p{i}", f"{t:.0f}", k)
            for u, i, t, k in zip(data.users, data.items, data.timestamps, data.kinds, strict=True)
        ],
    )
    return data, path


def test_command_prints_every_candidate_beside_popularity_and_models_win(tmp_path):
    _, path = _planted_csv(tmp_path)
    out = io.StringIO()
    call_command("evaluate_recommendations", str(path), "--factors", "16", stdout=out)
    lines = _table(out.getvalue())
    header = lines["metric"]
    assert header == ["als", "bpr", "item_knn", "ease", "popularity", "plain_als"]
    ndcg = dict(zip(header, map(float, lines["ndcg@10"]), strict=True))
    for model in ("als", "item_knn", "ease"):
        assert ndcg[model] > 1.5 * ndcg["popularity"]
    for name in (
        "recall@10",
        "capped_recall@10",
        "map@10",
        "coverage",
        "diversity",
        "novelty",
        "long_tail_share",
    ):
        assert len(lines[name]) == len(header)
    served = out.getvalue().split("served: ")[1].split()[0]
    assert ndcg[served] >= 0.98 * max(v for k, v in ndcg.items() if k != "plain_als")
    assert "hits / min(10, held-out items)" in out.getvalue()


def test_recall_and_capped_recall_follow_their_definitions(tmp_path):
    # 20 early customers made items p5..p14 the most popular; 30 customers had p0..p4 before the
    # cut and p5..p19 (15 new items) after it. Popularity recommends exactly p5..p14 to each:
    # 10 hits of 15 held-out items, recall@10 = 10/15 and capped recall@10 = 10/min(10, 15) = 1.
    rows = [(f"early{c}", f"p{i}", "1000", "purchase") for c in range(20) for i in range(5, 15)]
    rows += [(f"c{c}", f"p{i}", "2000", "purchase") for c in range(30) for i in range(5)]
    rows += [(f"c{c}", f"p{i}", "5000", "purchase") for c in range(30) for i in range(5, 20)]
    path = tmp_path / "held_out.csv"
    write_csv(path, rows)
    out = io.StringIO()
    call_command(
        "evaluate_recommendations",
        str(path),
        "--cutoff",
        "3000",
        "--candidates",
        "popularity",
        stdout=out,
    )
    lines = _table(out.getvalue())
    assert lines["metric"][0] == "popularity"
    assert float(lines["recall@10"][0]) == pytest.approx(10 / 15, abs=1e-4)
    assert float(lines["capped_recall@10"][0]) == pytest.approx(1.0)


def test_cutoff_date_splits_at_that_date(tmp_path):
    path = tmp_path / "dated.csv"
    rows = []
    for day in range(1, 29):
        for user in range(30):
            rows.append(
                (f"u{user}", f"p{(user + day) % 40}", f"2024-02-{day:02d}T10:00:00Z", "view")
            )
    write_csv(path, rows)
    early, late = io.StringIO(), io.StringIO()
    args = ("--candidates", "popularity,item_knn")
    call_command(
        "evaluate_recommendations", str(path), "--cutoff", "2024-02-08", *args, stdout=early
    )
    call_command(
        "evaluate_recommendations", str(path), "--cutoff", "2024-02-22", *args, stdout=late
    )
    # 30 interactions a day: 7 days before the first cut, 21 before the second.
    assert "trained on 210," in early.getvalue()
    assert "trained on 630," in late.getvalue()


def test_cutoff_outside_the_log_is_explained(tmp_path):
    _, path = _planted_csv(tmp_path)
    with pytest.raises(CommandError, match="no interaction on one side"):
        call_command("evaluate_recommendations", str(path), "--cutoff", "1990-01-01")


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
