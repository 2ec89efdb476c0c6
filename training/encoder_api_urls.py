"""API URLs of encoder adaptation, included by training/api_urls.py under "encoder/"."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from training.encoder_api import EncoderVersionViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("versions", EncoderVersionViewSet, basename="training-encoder-version")

urlpatterns = [path("", include(router.urls))]
