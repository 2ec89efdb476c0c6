from django.apps import AppConfig


class TrainingConfig(AppConfig):
    """Training on the shop's own data: the copy model (LoRA on approved copy) and the encoder
    (adapted to the catalog); versions are `catalog.ModelVersion` rows. The top floor: it may
    import every app, and none imports it."""

    name = "training"
    verbose_name = "Training"
    default_auto_field = "django.db.models.BigAutoField"
