from django.urls import path

from catalog.views import audit, customers, imports, jobs, products, shops
from catalog.views import settings as settings_views

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
    path("products/", products.product_list, name="product_list"),
    path("products/new/", products.product_create, name="product_create"),
    path("products/<int:pk>/", products.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", products.product_edit, name="product_edit"),
    path("products/<int:pk>/delete/", products.product_delete, name="product_delete"),
    path("customers/", customers.customer_list, name="customer_list"),
    path("customers/<int:pk>/", customers.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/export/", customers.customer_export, name="customer_export"),
    path("customers/<int:pk>/erase/", customers.customer_erase, name="customer_erase"),
    # CSV import and export
    path("import/", imports.import_csv, name="import_csv"),
    path("export/products.csv", imports.export_products, name="export_products"),
    path("export/customers.csv", imports.export_customers, name="export_customers"),
    path("export/interactions.csv", imports.export_interactions, name="export_interactions"),
    # Members and API tokens
    path("settings/members/", settings_views.member_list, name="member_list"),
    path("settings/members/add/", settings_views.member_add, name="member_add"),
    path("settings/members/<int:pk>/role/", settings_views.member_update, name="member_update"),
    path("settings/members/<int:pk>/remove/", settings_views.member_remove, name="member_remove"),
    path("settings/tokens/", settings_views.token_list, name="token_list"),
    path("settings/tokens/create/", settings_views.token_create, name="token_create"),
    path("settings/tokens/<int:pk>/revoke/", settings_views.token_revoke, name="token_revoke"),
    path("settings/audit/", audit.audit_log, name="audit_log"),
]
