import pytest

from generation.checks import (
    check_banned,
    check_echo,
    check_grounding,
    check_length,
    check_personal_data,
    check_repetition,
    render_flagged,
    run_checks,
)
from shopllm_site.trust.claims import Facts

FACTS = Facts.from_values(
    title="Trail Bottle",
    attributes={
        "capacity": "750 ml",
        "material": "stainless steel",
        "colour": "blue",
        "weight": "0.35 kg",
    },
)


def flagged_texts(text: str) -> list[str]:
    return [flag["text"] for flag in check_grounding(text, FACTS)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Holds 1 litre of water.", ["1 litre"]),
        ("Holds 1.5 l for long hikes.", ["1.5 l"]),
        ("A red bottle.", ["red"]),
        ("Made of aluminium.", ["aluminium"]),
        ("Weighs only 500 g.", ["500 g"]),
        ("It is 30 cm tall.", ["30 cm"]),
        ("Comes in size XL.", ["XL"]),
        ("Keeps drinks cold for 24 hours.", ["24 hours"]),
    ],
)
def test_grounding_flags_facts_that_contradict_or_are_absent(text, expected):
    assert flagged_texts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Holds 750 ml of water.",
        "Holds 750ml.",
        "Holds 0.75 l, or 75 cl.",
        "A blue stainless steel bottle.",
        "Light at 350 g.",
        "Just 0,35 kg in your pack.",
        "A sturdy bottle for every trail.",
    ],
)
def test_grounding_accepts_facts_in_other_units_or_words(text):
    assert flagged_texts(text) == []


def test_grounding_message_names_the_known_fact():
    [flag] = check_grounding("Holds 1 litre.", FACTS)
    assert "contradicts" in flag["message"] and "750 ml" in flag["message"]
    assert (flag["start"], flag["end"]) == (6, 13)


def test_inches_and_centimetres_are_the_same_fact():
    facts = Facts.from_values(attributes={"screen": "15.6 inch"})
    assert check_grounding("A 39.6 cm screen.", facts) == []
    assert [f["text"] for f in check_grounding("A 17 inch screen.", facts)] == ["17 inch"]


def test_length_limits_per_field():
    assert check_length("x" * 60, "seo_title") == []
    [flag] = check_length("x" * 61, "seo_title")
    assert flag["start"] == 60 and "at most 60" in flag["message"]
    assert check_length("y" * 161, "meta_description")
    assert check_length("\n".join(["ok"] * 7), "bullet_points")


def test_banned_phrases_are_found_case_insensitively():
    flags = check_banned("A Game-Changer for hikers, a game-changer.", ["game-changer"])
    assert [f["text"] for f in flags] == ["Game-Changer", "game-changer"]


def test_repetition_and_degenerate_output_are_flagged():
    assert check_repetition("")
    assert check_repetition("Great for hikes and trips. Great for hikes and trips.")
    assert check_repetition("the best bottle ever " * 8)
    assert check_repetition("Nice.<|im_end|>")
    assert check_repetition("A sturdy bottle for long hikes. It keeps water cool.") == []


def test_echoed_prompt_data_is_flagged():
    assert check_echo("<title>Trail Bottle</title>\n<brand>Acme</brand>")
    assert check_echo("Product facts: Title: Trail Bottle")
    assert check_echo("Trail Bottle\nbrand: Acme\ncategory: Kitchen")
    assert check_echo("A blue bottle from Acme, brand new for the trail.") == []


def test_bullets_that_only_list_raw_facts_are_flagged_as_echo():
    bullets = "- capacity: 750 ml\nKeeps drinks cold for 24 h\n• Dishwasher safe: no"
    flags = check_echo(bullets, ["capacity", "dishwasher_safe"])
    assert [f["text"] for f in flags] == ["- capacity: 750 ml", "• Dishwasher safe: no"]
    assert check_echo("Holds 750 ml. Capacity matters on long hikes.", ["capacity"]) == []


def test_personal_data_is_flagged():
    flags = check_personal_data("Write to jane.doe@example.com or call +44 20 7946 0958.")
    assert [f["check"] for f in flags] == ["personal_data", "personal_data"]
    assert check_personal_data("Holds 750 ml, 0.35 kg.") == []
    assert check_personal_data("New for 2022-01-01.") == []


def test_run_checks_summarises(product):
    checks = run_checks("Holds 1 litre. Buy now!", "description", product, ["buy now"])
    assert checks["counts"] == {"grounding": 1, "banned": 1}
    assert not checks["ok"]
    assert run_checks("A blue bottle for 750 ml.", "description", product)["ok"]


def test_flag_highlighting_escapes_the_text_first():
    text = "<script>x</script> holds 1 litre"
    html = render_flagged(text, check_grounding(text, FACTS))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert '<mark class="flag" title="' in html and ">1 litre</mark>" in html


PLACEHOLDER = "A template placeholder."


@pytest.mark.parametrize(
    "text",
    [
        "Great for any job.\n[tool_name] fits every bag.",
        "Meet {{ product }}, made to last.",
        "The {brand} kettle boils fast.",
        "Lorem ipsum dolor sit amet.",
    ],
)
def test_template_placeholders_are_flagged(text):
    flags = [
        flag for flag in check_repetition(text) if flag["message"] == "A template placeholder."
    ]
    assert len(flags) == 1


def test_ordinary_copy_has_no_placeholder():
    text = (
        "A 750 ml bottle (stainless steel) for hikes; fits most cup holders [sold separately: lid]."
    )
    assert not [f for f in check_repetition(text) if f["message"] == "A template placeholder."]
