from django.apps import AppConfig


class ArConfig(AppConfig):
    name = "ar"
    verbose_name = "AR models and mobile app"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from ar.hooks import ProductARModels
        from ar.services import app_releases_seed_demo, erase_ar_downloads, export_ar_data
        from authentication import gdpr
        from marketplace.catalog.products.ar_hooks import register_ar_model_handler
        from marketplace.demo_seeds import register_demo_seeder

        register_ar_model_handler(ProductARModels())
        gdpr.register_exporter("ar", export_ar_data)
        gdpr.register_eraser(erase_ar_downloads)
        register_demo_seeder("ar", app_releases_seed_demo)
