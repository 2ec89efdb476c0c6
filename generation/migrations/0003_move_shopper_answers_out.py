"""Shopper answers moved to the `answers` app (see answers/migrations/0001_initial.py): this
removes them from this app's state only; their tables and rows stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('generation', '0002_shopper_answers'),
        ('answers', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='FactChunk'),
                migrations.DeleteModel(name='ShopperQuestion'),
                migrations.DeleteModel(name='FaqEntry'),
                migrations.DeleteModel(name='AnswerSettings'),
            ],
        ),
    ]
