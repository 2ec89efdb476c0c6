"""Page URLs of encoder adaptation, included by training/urls.py under "encoder/"."""

from django.urls import path

from training import encoder_views

urlpatterns = [
    path("", encoder_views.encoder_versions, name="encoder_versions"),
    path("start/", encoder_views.encoder_start, name="encoder_start"),
    path("<int:pk>/activate/", encoder_views.encoder_activate, name="encoder_activate"),
    path("rollback/", encoder_views.encoder_rollback, name="encoder_rollback"),
]
