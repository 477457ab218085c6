from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from authentication import gdpr
        from marketplace.activity import tasks  # noqa: F401  (Celery registers the task on import)
        from marketplace.alerts import services as alert_services
        from marketplace.alerts import tasks as alert_tasks  # noqa: F401
        from marketplace.catalog.products import gdpr as catalog_gdpr
        from marketplace.catalog.search import tasks as search_tasks  # noqa: F401
        from marketplace.catalog.search.sqlite_fts import fts_triggers_ensure
        from marketplace.ordering import gdpr as ordering_gdpr

        # SQLite (make run): a migration that rebuilds the product table drops the FTS5 triggers.
        post_migrate.connect(fts_triggers_ensure, sender=self, dispatch_uid="marketplace-fts-triggers")
        gdpr.register_exporter("products", catalog_gdpr.export_products)
        gdpr.register_exporter("reviews", catalog_gdpr.export_reviews)
        gdpr.register_exporter("favorites", catalog_gdpr.export_favorites)
        gdpr.register_eraser(catalog_gdpr.erase_catalog_data)
        gdpr.register_exporter("orders", ordering_gdpr.export_orders)
        gdpr.register_exporter("cart", ordering_gdpr.export_cart)
        gdpr.register_eraser(ordering_gdpr.erase_ordering_data)
        gdpr.register_exporter("alerts", alert_services.alerts_export_for_user)
        gdpr.register_eraser(alert_services.alerts_data_erase)
