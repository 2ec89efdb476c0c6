"""The answers tables moved from the `generation` app to `answers` without losing a row."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("generation", "0002_shopper_answers"), ("answers", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_moving_the_app_keeps_every_answer_row():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old_apps = _migrate(BEFORE)
    try:
        Shop = old_apps.get_model("catalog", "Shop")
        Product = old_apps.get_model("catalog", "Product")
        shop = Shop.objects.create(name="Old shop", slug="old-shop")
        product = Product.objects.create(shop=shop, sku="MUG-1", title="Mug")
        old = "generation"
        old_apps.get_model(old, "AnswerSettings").objects.create(shop=shop, auto_publish=False)
        faq = old_apps.get_model(old, "FaqEntry").objects.create(
            shop=shop, product=product, question="Dishwasher safe?", answer="Yes."
        )
        old_apps.get_model(old, "FactChunk").objects.create(
            shop=shop,
            product=product,
            faq=faq,
            source="faq",
            source_key=f"faq:{faq.pk}",
            label="FAQ",
            text="Dishwasher safe? Yes.",
            text_hash="h",
            embedding=b"\x00" * 8,
            encoder="test",
        )
        old_apps.get_model(old, "ShopperQuestion").objects.create(
            shop=shop, product=product, question="Is it big?", answer="350 ml.", status="published"
        )
    finally:
        new_apps = _migrate(leaves)

    FaqEntry = new_apps.get_model("answers", "FaqEntry")
    FactChunk = new_apps.get_model("answers", "FactChunk")
    ShopperQuestion = new_apps.get_model("answers", "ShopperQuestion")
    AnswerSettings = new_apps.get_model("answers", "AnswerSettings")
    assert FaqEntry.objects.get().answer == "Yes."
    assert FactChunk.objects.get().faq_id == FaqEntry.objects.get().pk
    assert ShopperQuestion.objects.get().answer == "350 ml."
    assert AnswerSettings.objects.get().auto_publish is False
    tables = connection.introspection.table_names()
    assert "answers_shopperquestion" in tables
    assert "generation_shopperquestion" not in tables
