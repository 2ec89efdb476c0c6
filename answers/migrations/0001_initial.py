"""Shopper answers become their own app: the models move here from `generation`, tables and rows
untouched (state only; 0002 then renames the tables). Content types follow, so that permissions
granted on the old models keep working."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("answersettings", "faqentry", "factchunk", "shopperquestion")


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="answers", model=model).exists():
            ContentType.objects.filter(app_label="generation", model=model).update(
                app_label="answers"
            )


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="answers", model__in=MOVED).update(
        app_label="generation"
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('catalog', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('generation', '0002_shopper_answers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AnswerSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('auto_publish', models.BooleanField(default=True, help_text='Publish answers whose confidence reaches the threshold.')),
                        ('auto_publish_threshold', models.FloatField(default=0.8, help_text='0-1. Answers below it wait in the review queue.')),
                        ('min_retrieval_score', models.FloatField(default=0.35, help_text='0-1. Below this similarity the facts are taken not to answer the question.')),
                        ('time_budget_s', models.FloatField(default=8.0, help_text='Seconds the model may take for one synchronous answer.')),
                        ('indexed_at', models.DateTimeField(blank=True, null=True)),
                        ('index_version', models.PositiveBigIntegerField(default=0)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('shop', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='answer_settings', to='catalog.shop')),
                    ],
                    options={
                        'verbose_name_plural': 'answer settings',
                        'db_table': 'generation_answersettings',
                    },
                ),
                migrations.CreateModel(
                    name='FaqEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('question', models.CharField(max_length=500)),
                        ('answer', models.TextField(max_length=2000)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('product', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='faq_entries', to='catalog.product')),
                        ('shop', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='faq_entries', to='catalog.shop')),
                    ],
                    options={
                        'db_table': 'generation_faqentry',
                    },
                ),
                migrations.CreateModel(
                    name='FactChunk',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('source', models.CharField(choices=[('attribute', 'Attribute'), ('product', 'Product field'), ('bullet', 'Bullet point'), ('description', 'Description'), ('faq', 'FAQ entry')], max_length=12)),
                        ('source_key', models.CharField(max_length=200)),
                        ('label', models.CharField(max_length=200)),
                        ('text', models.TextField()),
                        ('text_hash', models.CharField(max_length=32)),
                        ('embedding', models.BinaryField()),
                        ('encoder', models.CharField(max_length=200)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('product', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='fact_chunks', to='catalog.product')),
                        ('shop', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='fact_chunks', to='catalog.shop')),
                        ('faq', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='chunks', to='answers.faqentry')),
                    ],
                    options={
                        'db_table': 'generation_factchunk',
                    },
                ),
                migrations.CreateModel(
                    name='ShopperQuestion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('job_index', models.PositiveIntegerField(blank=True, null=True)),
                        ('question', models.CharField(max_length=1000)),
                        ('answer', models.TextField(blank=True)),
                        ('status', models.CharField(choices=[('published', 'Published'), ('pending_review', 'Pending review'), ('needs_merchant', 'Needs the merchant'), ('rejected', 'Rejected')], default='pending_review', max_length=16)),
                        ('answer_kind', models.CharField(choices=[('generated', 'Generated from facts'), ('extractive', 'Quoted fact'), ('dont_know', "Don't know"), ('refused', 'Refused (not a product question)'), ('edited', 'Written by a person')], max_length=12)),
                        ('confidence', models.FloatField(default=0.0)),
                        ('retrieval_score', models.FloatField(default=0.0)),
                        ('grounded', models.BooleanField(default=False)),
                        ('flags', models.JSONField(blank=True, default=dict)),
                        ('evidence', models.JSONField(blank=True, default=list)),
                        ('model_name', models.CharField(blank=True, max_length=200)),
                        ('model_output', models.TextField(blank=True)),
                        ('latency_ms', models.PositiveIntegerField(default=0)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('reviewed_at', models.DateTimeField(blank=True, null=True)),
                        ('customer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='catalog.customer')),
                        ('job', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='catalog.job')),
                        ('product', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='shopper_questions', to='catalog.product')),
                        ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('shop', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='shopper_questions', to='catalog.shop')),
                    ],
                    options={
                        'db_table': 'generation_shopperquestion',
                    },
                ),
                migrations.AddIndex(
                    model_name='faqentry',
                    index=models.Index(fields=['shop', '-updated_at'], name='generation__shop_id_c9ec57_idx'),
                ),
                migrations.AddIndex(
                    model_name='factchunk',
                    index=models.Index(fields=['shop', 'product'], name='generation__shop_id_f4bddd_idx'),
                ),
                migrations.AddIndex(
                    model_name='factchunk',
                    index=models.Index(fields=['shop', 'updated_at'], name='generation__shop_id_e66e30_idx'),
                ),
                migrations.AddConstraint(
                    model_name='factchunk',
                    constraint=models.UniqueConstraint(fields=('shop', 'source_key'), name='unique_fact_chunk_source'),
                ),
                migrations.AddIndex(
                    model_name='shopperquestion',
                    index=models.Index(fields=['shop', 'status', '-created_at'], name='generation__shop_id_86e4d6_idx'),
                ),
                migrations.AddIndex(
                    model_name='shopperquestion',
                    index=models.Index(fields=['shop', '-created_at'], name='generation__shop_id_21bae7_idx'),
                ),
                migrations.AddIndex(
                    model_name='shopperquestion',
                    index=models.Index(fields=['status', '-created_at'], name='generation__status_d4cf38_idx'),
                ),
                migrations.AddConstraint(
                    model_name='shopperquestion',
                    constraint=models.UniqueConstraint(condition=models.Q(('job__isnull', False)), fields=('job', 'job_index'), name='unique_question_per_job_item'),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
