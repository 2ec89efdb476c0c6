from django.urls import include, path
from rest_framework.routers import DefaultRouter

from answers.api import AskViewSet, FaqEntryViewSet, QuestionViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("questions", QuestionViewSet, basename="answers-question")
router.register("faq", FaqEntryViewSet, basename="answers-faq")

urlpatterns = [
    path("ask/", AskViewSet.as_view({"post": "ask"}), name="answers-ask"),
    path("jobs/", AskViewSet.as_view({"post": "create_job"}), name="answers-jobs"),
    path("", include(router.urls)),
]
