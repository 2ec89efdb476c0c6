from django.urls import path

from catalog.views import jobs, shops

app_name = "catalog"

urlpatterns = [
    # Shops and the dashboard
    path("", shops.dashboard, name="dashboard"),
    path("shops/switch/", shops.switch_shop, name="switch_shop"),
    path("shops/none/", shops.no_shop, name="no_shop"),
    # Jobs
    path("jobs/", jobs.job_list, name="job_list"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/retry/", jobs.job_retry, name="job_retry"),
    path("jobs/<int:pk>/cancel/", jobs.job_cancel, name="job_cancel"),
    # Products and customers
    # CSV import and export
    # Members and API tokens
]
