from django.urls import include, path
from rest_framework.routers import DefaultRouter

from catalog.api import (
    AuditEventViewSet,
    CustomerViewSet,
    InteractionViewSet,
    JobViewSet,
    ProductViewSet,
)

router = DefaultRouter()
router.register("products", ProductViewSet, basename="product")
router.register("customers", CustomerViewSet, basename="customer")
router.register("interactions", InteractionViewSet, basename="interaction")
router.register("jobs", JobViewSet, basename="job")
router.register("audit-events", AuditEventViewSet, basename="audit-event")

urlpatterns = [
    path("", include(router.urls)),
]
