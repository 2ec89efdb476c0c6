from django.urls import path

from experiments import views

app_name = "experiments"
urlpatterns = [
    path("", views.experiment_list, name="list"),
    path("new/", views.experiment_create, name="create"),
    path("new/copy/", views.experiment_create_copy, name="create_copy"),
    path("unpin/", views.unpin_run, name="unpin"),
    path("<int:pk>/", views.experiment_detail, name="detail"),
    path("<int:pk>/start/", views.experiment_start, name="start"),
    path("<int:pk>/stop/", views.experiment_stop, name="stop"),
    path("<int:pk>/train/", views.experiment_train, name="train"),
    path("<int:pk>/promote/", views.experiment_promote, name="promote"),
]
