"""Dependencies point down: catalog <- {generation, answers, recommendations}, and the model
package (shopllm_site.ml) and the trust package (shopllm_site.trust: claim checks, prompt data,
personal data) below all of them. Checked on the source text, templates included."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("catalog", "generation", "answers", "recommendations", "training", "experiments")
# The top floor: they may import every app below, and no app imports them.
TOP = ("training", "experiments")

# Which source folders may not name which apps.
RULES = {
    ("catalog", "templates/catalog"): ("generation", "answers", "recommendations", *TOP),
    ("recommendations", "templates/recommendations"): ("generation", "answers", *TOP),
    ("answers", "templates/answers"): ("generation", "recommendations", *TOP),
    ("generation", "templates/generation"): TOP,
    ("shopllm_site/ml",): APPS,
    ("shopllm_site/trust",): APPS,
}

TEMPLATE_TAG = re.compile(r"{%.*?%}", re.DOTALL)
QUOTED = re.compile(r"""["']([^"']+)["']""")


def _names_app(text: str, apps: tuple[str, ...]) -> str | None:
    """The app that `text` points into: a module path, a URL name or a template path."""
    match = re.match(r"(\w+)[.:/]\w", text)
    if match and match.group(1) in apps:
        return match.group(1)
    return None


def python_references(source: str, apps: tuple[str, ...]) -> list[str]:
    """Imports of `apps`, and strings that name their modules, URLs or templates."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _names_app(node.value, apps):
                found.append(f"line {node.lineno}: {node.value!r}")
            continue
        else:
            continue
        for module in modules:
            if module.split(".")[0] in apps:
                found.append(f"line {node.lineno}: import {module}")
    return found


def template_references(source: str, apps: tuple[str, ...]) -> list[str]:
    """`{% url %}`, `{% include %}`, `{% extends %}` (any tag) arguments that point into `apps`."""
    found = []
    for tag in TEMPLATE_TAG.finditer(source):
        for quoted in QUOTED.findall(tag.group()):
            if _names_app(quoted, apps):
                line = source.count("\n", 0, tag.start()) + 1
                found.append(f"line {line}: {tag.group()}")
    return found


def violations(folders: tuple[str, ...], apps: tuple[str, ...]) -> list[str]:
    found = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix == ".py":
                hits = python_references(path.read_text(), apps)
            elif path.suffix in (".html", ".txt"):
                hits = template_references(path.read_text(), apps)
            else:
                continue
            found += [f"{path.relative_to(ROOT)} {hit}" for hit in hits]
    return found


@pytest.mark.parametrize("folders", list(RULES), ids=lambda folders: folders[0])
def test_lower_layers_do_not_name_upper_apps(folders):
    assert violations(folders, RULES[folders]) == []


def test_the_checks_catch_imports_strings_and_template_references():
    upper = ("generation", "answers")
    python = (
        "import generation.models\n"
        "from answers.retrieval import search\n"
        "TASK = 'generation.tasks.run'\n"
        "from catalog.models import Product\n"
        "HELP = 'The same URL answers with a fragment.'\n"
    )
    assert python_references(python, upper) == [
        "line 1: import generation.models",
        "line 2: import answers.retrieval",
        "line 3: 'generation.tasks.run'",
    ]
    template = (
        '{% include "generation/_product_panel.html" %}\n'
        "<a href=\"{% url 'answers:review' %}\">answers</a>\n"
        "{% url 'catalog:product_list' %} generation/ in text is fine\n"
    )
    assert template_references(template, upper) == [
        'line 1: {% include "generation/_product_panel.html" %}',
        "line 2: {% url 'answers:review' %}",
    ]
