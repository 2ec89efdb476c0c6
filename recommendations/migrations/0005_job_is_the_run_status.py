"""A run's status, error and finish time are its job's (0004 made them agree): drop the copies."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0004_give_every_run_a_matching_job"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="recommendationrun",
            name="recommendat_shop_id_9f07a1_idx",
        ),
        migrations.RemoveField(
            model_name="recommendationrun",
            name="error",
        ),
        migrations.RemoveField(
            model_name="recommendationrun",
            name="finished_at",
        ),
        migrations.RemoveField(
            model_name="recommendationrun",
            name="status",
        ),
        migrations.AlterField(
            model_name="recommendationrun",
            name="job",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="recommendation_run",
                to="catalog.job",
            ),
        ),
    ]
