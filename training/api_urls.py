from django.urls import include, path
from rest_framework.routers import DefaultRouter

from training.api import CopyModelViewSet, ModelVersionViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("versions", ModelVersionViewSet, basename="training-version")
router.register("copy-model", CopyModelViewSet, basename="training-copy-model")

urlpatterns: list = [path("", include(router.urls))]

# Encoder adaptation (training/encoder_api.py).
urlpatterns += [path("encoder/", include("training.encoder_api_urls"))]
