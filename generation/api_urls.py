from django.urls import include, path
from rest_framework.routers import DefaultRouter

from generation.api import DraftViewSet, GenerationRequestViewSet

router = DefaultRouter()
router.register("generation/requests", GenerationRequestViewSet, basename="generation-request")
router.register("drafts", DraftViewSet, basename="draft")

urlpatterns: list = [
    path("", include(router.urls)),
]
