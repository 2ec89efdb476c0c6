from django.urls import path

from experiments import api

# Mounted at /api/v1/experiments/.
urlpatterns = [
    path("", api.ExperimentListView.as_view(), name="experiments-list"),
    path("<int:pk>/", api.ExperimentDetailView.as_view(), name="experiments-detail"),
    path("<int:pk>/start/", api.ExperimentStartView.as_view(), name="experiments-start"),
    path("<int:pk>/stop/", api.ExperimentStopView.as_view(), name="experiments-stop"),
    path("<int:pk>/train/", api.ExperimentTrainView.as_view(), name="experiments-train"),
    path("<int:pk>/promote/", api.ExperimentPromoteView.as_view(), name="experiments-promote"),
    path("serve/<str:placement>/", api.ServeListView.as_view(), name="experiments-serve"),
    path("copy/", api.ServeCopyView.as_view(), name="experiments-copy"),
]
