"""The third-party apps that show in the Django admin, named in our catalogue.

django-axes, django-otp and django-tasks-db ship no Swedish translation, name their apps only by
label ("Axes", "Otp_Totp") and in part their models by plain strings that no catalogue can
translate ("TOTP device"). These configs, listed in INSTALLED_APPS instead of the packages' own,
give the apps and the models they register in the admin names of our own. The model names keep
the packages' English under the context "third-party admin", so English pages and permission
names stay as they were, and axes' "access log" (of logins) is not translated as Värna's own
"access log" (of classified reads).
"""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import apps
from django.utils.translation import pgettext_lazy
from django_otp.plugins.otp_totp.apps import DefaultConfig as OtpTotpAppConfig
from django_tasks_db.apps import TasksAppConfig


def _name_models(app_label: str, names: dict) -> None:
    for model_name, (singular, plural) in names.items():
        meta = apps.get_model(app_label, model_name)._meta
        # Only the admin and other screens read these; migrations take the packages' own
        # names from meta.original_attrs, so no migration is wanted for them.
        meta.verbose_name, meta.verbose_name_plural = singular, plural


class AxesConfig(AxesAppConfig):
    verbose_name = pgettext_lazy("third-party admin", "Login throttling")

    def ready(self):
        super().ready()
        _name_models(
            self.label,
            {
                "AccessAttempt": (
                    pgettext_lazy("third-party admin", "access attempt"),
                    pgettext_lazy("third-party admin", "access attempts"),
                ),
                "AccessFailureLog": (
                    pgettext_lazy("third-party admin", "access failure"),
                    pgettext_lazy("third-party admin", "access failures"),
                ),
                "AccessLog": (
                    pgettext_lazy("third-party admin", "access log"),
                    pgettext_lazy("third-party admin", "access logs"),
                ),
                "AccessAttemptExpiration": (
                    pgettext_lazy("third-party admin", "access attempt expiration"),
                    pgettext_lazy("third-party admin", "access attempt expirations"),
                ),
            },
        )


class OtpTotpConfig(OtpTotpAppConfig):
    verbose_name = pgettext_lazy("third-party admin", "Two-factor authentication")

    def ready(self):
        super().ready()
        _name_models(
            self.label,
            {
                "TOTPDevice": (
                    pgettext_lazy("third-party admin", "TOTP device"),
                    pgettext_lazy("third-party admin", "TOTP devices"),
                )
            },
        )


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = pgettext_lazy("third-party admin", "Background tasks")

    def ready(self):
        super().ready()
        _name_models(
            self.label,
            {
                "DBTaskResult": (
                    pgettext_lazy("third-party admin", "task result"),
                    pgettext_lazy("third-party admin", "task results"),
                )
            },
        )
