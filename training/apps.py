from django.apps import AppConfig


class TrainingConfig(AppConfig):
    """Training on the shop's own data: the copy model (LoRA on approved copy) and the encoder
    (adapted to the catalog); versions are `catalog.ModelVersion` rows. The top floor: it may
    import every app, and none imports it."""

    name = "training"
    verbose_name = "Training"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Encoder adaptation: job kinds and tasks, and the re-embedding after an activation.
        # Copy-model training (job_kinds): its job kind and task. A deleted version's folder
        # is removed (version_files).
        from training import encoder_services, job_kinds, version_files  # noqa: F401
