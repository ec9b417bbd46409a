from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "varna.core"
    label = "core"
    verbose_name = "Värna"

    def ready(self):
        # Each area registers its obligation checks in an `obligations` module.
        autodiscover_modules("obligations")
