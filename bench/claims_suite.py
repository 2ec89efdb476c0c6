"""Claim check on the labelled suite: per-kind recall and precision, and the false-flag rate on
faithful texts, for the tuned suite and the held-out slices side by side; and the same cases
through the previous grounding check (numbers, materials, colours, sizes only), as the baseline.

    .venv/bin/python bench/claims_suite.py [-v]

Recall of a kind: share of cases expecting that kind where it is flagged. Precision: share of
cases flagged with that kind that expect it. False flags: faithful cases with any flag. The
baseline has no kinds: a case counts as caught when it raises any flag.
"""

from __future__ import annotations
import __future__

import ast
import re
import subprocess
import sys
import types
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shopllm_site.trust.claims import KINDS, Facts, check_claims  # noqa: E402
from tests.trust import claim_cases, claim_cases_holdout  # noqa: E402


def evaluate(cases, products) -> tuple[dict[str, tuple[int, int, int]], int, int, list]:
    per_kind = {kind: [0, 0, 0] for kind in KINDS}  # true positives, false negatives, false pos.
    faithful = false_flags = 0
    misses = []
    for case in cases:
        flags = check_claims(case.text, Facts.from_values(**products[case.product]))
        found = {flag.kind for flag in flags}
        expected = set(case.expected)
        for kind in KINDS:
            if kind in expected:
                per_kind[kind][0 if kind in found else 1] += 1
            elif kind in found:
                per_kind[kind][2] += 1
        if not expected:
            faithful += 1
            false_flags += bool(found)
        if found != expected:
            misses.append((case, sorted(found), [f.text for f in flags]))
    return {k: tuple(v) for k, v in per_kind.items()}, faithful, false_flags, misses


# The last commit with the previous check; loaded from git so the bench keeps no copy of it.
BASELINE_COMMIT = "a73f664"
ROOT = Path(__file__).resolve().parent.parent


def _previous_source(path: str) -> str:
    return subprocess.run(
        ["git", "show", f"{BASELINE_COMMIT}:{path}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def previous_check():
    """(facts_for(product_values), check(text, facts)) of the previous grounding check, or None
    when git or the commit is not at hand."""
    # dataclasses look their module up in sys.modules: each piece runs as a registered module
    checks = types.ModuleType("previous_checks")
    sys.modules[checks.__name__] = checks
    checks.__dict__.update({"re": re, "dataclass": dataclass})
    try:
        for path in ("generation/checks/units.py", "generation/checks/vocabulary.py"):
            module = types.ModuleType("previous_" + Path(path).stem)
            sys.modules[module.__name__] = module
            exec(_previous_source(path), module.__dict__)  # noqa: S102 (our own history)
            checks.__dict__.update(
                {k: v for k, v in module.__dict__.items() if not k.startswith("__")}
            )
        tree = ast.parse(_previous_source("generation/checks/__init__.py"))
    except (OSError, subprocess.CalledProcessError):
        return None
    wanted = {"ProductFacts", "_flag", "check_grounding"}
    body = [node for node in tree.body if getattr(node, "name", None) in wanted]
    code = compile(
        ast.Module(body=body, type_ignores=[]),
        "previous_checks",
        "exec",
        flags=__future__.annotations.compiler_flag,
        dont_inherit=True,
    )
    exec(code, checks.__dict__)  # noqa: S102
    namespace = checks.__dict__
    return (
        lambda values: namespace["ProductFacts"].from_product(types.SimpleNamespace(**values)),
        namespace["check_grounding"],
    )


def evaluate_previous(check, cases, products) -> tuple[int, int, int, int]:
    """(caught, wanted, false flags, faithful) for the previous check."""
    facts_for, check_grounding = check
    caught = wanted = false_flags = faithful = 0
    for case in cases:
        flagged = bool(check_grounding(case.text, facts_for(products[case.product])))
        if case.expected:
            wanted += 1
            caught += flagged
        else:
            faithful += 1
            false_flags += flagged
    return caught, wanted, false_flags, faithful


def ratio(part: int, whole: int) -> str:
    return f"{part / whole:5.2f}" if whole else "    -"


def main() -> None:
    cases = {
        "suite": claim_cases.CASES,
        "held-out": claim_cases_holdout.CASES,
        "late held-out": claim_cases_holdout.LATE_CASES,
    }
    suites = {
        "suite": evaluate(cases["suite"], claim_cases.PRODUCTS),
        "held-out": evaluate(cases["held-out"], claim_cases_holdout.PRODUCTS),
        "late held-out": evaluate(cases["late held-out"], claim_cases_holdout.PRODUCTS),
    }
    print(f"{'':<14}" + "".join(f"{name:>28}" for name in suites))
    print(f"{'kind':<14}" + "".join(f"{'recall':>17}{'precision':>11}" for _ in suites))
    for kind in KINDS:
        row = f"{kind:<14}"
        for per_kind, *_ in suites.values():
            tp, fn, fp = per_kind[kind]
            row += f"{ratio(tp, tp + fn) + f' ({tp}/{tp + fn})':>17}{ratio(tp, tp + fp):>11}"
        print(row)
    previous = previous_check()
    for name, (per_kind, faithful, false_flags, misses) in suites.items():
        tp = sum(v[0] for v in per_kind.values())
        fn = sum(v[1] for v in per_kind.values())
        print(
            f"{name}: {len(cases[name])} cases, recall {ratio(tp, tp + fn)}, "
            f"false flags on faithful texts {false_flags}/{faithful} = "
            f"{ratio(false_flags, faithful)}"
        )
        if previous is not None:
            products = claim_cases.PRODUCTS if name == "suite" else claim_cases_holdout.PRODUCTS
            caught, wanted, old_false, old_faithful = evaluate_previous(
                previous, cases[name], products
            )
            print(
                f"  previous check ({BASELINE_COMMIT}) on the same cases: caught "
                f"{caught}/{wanted} = {ratio(caught, wanted)}, false flags "
                f"{old_false}/{old_faithful} = {ratio(old_false, old_faithful)}"
            )
        if "-v" in sys.argv:
            for case, found, spans in misses:
                print(
                    f"   {case.kind:<13} {case.variant:<12} {case.text!r} want "
                    f"{list(case.expected)} got {found} {spans}"
                )


if __name__ == "__main__":
    main()
