"""Unit prices with up to four decimals (numeric(14, 4)); existing prices keep their value."""

from django.db import migrations

import catalog.models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_model_versions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="product",
            name="price",
            field=catalog.models.PriceField(blank=True, decimal_places=4, max_digits=14, null=True),
        ),
    ]
