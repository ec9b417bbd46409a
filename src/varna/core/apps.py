from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "varna.core"
    label = "core"
    verbose_name = "Värna"

    def ready(self):
        # Each area declares itself in an `area` module (core.areas) and registers its
        # obligation checks in an `obligations` module.
        autodiscover_modules("area")
        from . import areas

        areas.check_requirements()
        autodiscover_modules("obligations")
        self._note_classified_loads()

    @staticmethod
    def _note_classified_loads():
        from django.apps import apps
        from django.db.models.signals import post_init

        from .access_log import note_loaded
        from .models import ClassifiedModel

        for model in apps.get_models():
            if issubclass(model, ClassifiedModel):
                post_init.connect(note_loaded, sender=model, dispatch_uid=f"classified-read-{model._meta.label}")
