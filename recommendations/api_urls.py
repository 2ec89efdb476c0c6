from django.urls import path

from recommendations import api

urlpatterns = [
    path(
        "recommendations/customers/<str:external_id>/",
        api.CustomerRecommendationsView.as_view(),
        name="recommendations-customer",
    ),
    path(
        "recommendations/products/<str:sku>/similar/",
        api.SimilarProductsView.as_view(),
        name="recommendations-similar",
    ),
    path(
        "recommendations/products/<str:sku>/bought-together/",
        api.BoughtTogetherView.as_view(),
        name="recommendations-bought-together",
    ),
    path("recommendations/runs/", api.RunListView.as_view(), name="recommendations-runs"),
    path(
        "recommendations/settings/",
        api.SettingsView.as_view(),
        name="recommendations-settings",
    ),
    path(
        "recommendations/runs/<int:pk>/",
        api.RunDetailView.as_view(),
        name="recommendations-run-detail",
    ),
]
