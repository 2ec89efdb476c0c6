from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)

api_patterns = [
    path("", include("catalog.api_urls")),
    path("", include("generation.api_urls")),
    path("answers/", include("answers.api_urls")),
    path("", include("recommendations.api_urls")),
    path("training/", include("training.api_urls")),
    path("experiments/", include("experiments.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script for the CSP.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include(api_patterns)),
    path("generation/", include("generation.urls")),
    # Shopper answers lived under /generation/answers/ before they became their own app.
    re_path(
        r"^generation/answers/(?P<rest>.*)$",
        RedirectView.as_view(url="/answers/%(rest)s", permanent=True, query_string=True),
    ),
    path("answers/", include("answers.urls")),
    path("recommendations/", include("recommendations.urls")),
    path("training/", include("training.urls")),
    path("experiments/", include("experiments.urls")),
    path("", include("catalog.urls")),
]

handler400 = "catalog.views.errors.bad_request"
handler404 = "catalog.views.errors.not_found"
handler500 = "catalog.views.errors.server_error"
