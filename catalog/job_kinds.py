"""The catalog's job kinds (imported by CatalogConfig.ready()); the CSV imports share a task."""

from catalog.jobs import register_job_kind

IMPORT_TASK = "catalog.tasks.run_import_job"

IMPORT_PRODUCTS = register_job_kind("import_products", "Product import", IMPORT_TASK)
IMPORT_INTERACTIONS = register_job_kind("import_interactions", "Interaction import", IMPORT_TASK)
IMPORT_CUSTOMERS = register_job_kind("import_customers", "Customer import", IMPORT_TASK)
