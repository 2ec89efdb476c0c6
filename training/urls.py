from django.urls import include, path

from training import views

app_name = "training"
urlpatterns: list = [
    path("", views.versions, name="versions"),
    path("copy/start/", views.copy_start, name="copy_start"),
    path("copy/rollback/", views.copy_rollback, name="copy_rollback"),
    path("copy/export.jsonl", views.copy_export, name="copy_export"),
    path("versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("versions/<int:pk>/activate/", views.version_activate, name="version_activate"),
    path("versions/<int:pk>/cancel/", views.version_cancel, name="version_cancel"),
]

# Encoder adaptation (training/encoder_urls.py).
urlpatterns += [path("encoder/", include("training.encoder_urls"))]
