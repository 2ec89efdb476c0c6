from django.urls import path

from recommendations import views

app_name = "recommendations"

urlpatterns = [
    path("", views.run_list, name="run_list"),
    path("runs/start/", views.run_start, name="run_start"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("settings/", views.settings_view, name="settings"),
    path("customers/<int:pk>/", views.customer_panel, name="customer_panel"),
    path("products/<int:pk>/", views.product_panel, name="product_panel"),
]
