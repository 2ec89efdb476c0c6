from catalog.jobs import register_job_kind

register_job_kind("import_products", "Product import", "catalog.tasks.run_import_job")
register_job_kind("import_interactions", "Interaction import", "catalog.tasks.run_import_job")
register_job_kind("import_customers", "Customer import", "catalog.tasks.run_import_job")
# Used by the tests and the demo to show the job machinery without a model.
register_job_kind("demo_count", "Demo count", "catalog.tasks.run_demo_count_job")
