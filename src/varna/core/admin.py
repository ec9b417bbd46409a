"""Django admin is for technical configuration (role settings, single sign-on mappings, the org
tree, people and their users) and for reading the logs. The registers themselves (documents,
risks, measures, incidents, external parties, ...) are not in it: they are worked in the app,
where scope, masking of classified records, logged reads and optimistic locking apply. The
tests (tests/core/test_admin.py) hold that no classified model is registered here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.db.models import F
from simple_history.admin import SimpleHistoryAdmin

from .models import AccessLogEntry, SecurityEvent


class VersionedAdmin(SimpleHistoryAdmin):
    """An admin edit bumps the version like any edit in the app, so a form opened in the app
    before it is refused as stale instead of restoring the old values."""

    def save_model(self, request, obj, form, change):
        if change:
            obj.version = F("version") + 1
        super().save_model(request, obj, form, change)
        if change:
            obj.refresh_from_db(fields=["version"])


class NoDeleteMixin:
    """Deleting a unit, a person or a user would cascade to the registers, and Django's delete
    confirmation lists every record it takes, classified ones included: end a role, an
    employment or deactivate a user instead."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyAdmin):
    # The name of a classified record is itself classified, and an administrator is not cleared
    # by being one: the log shows which record (type and id) was read, by whom, when and where,
    # never its name (object_repr stays in the table for a cleared auditor's own query).
    list_display = ["at", "user", "content_type", "object_id", "action"]
    list_filter = ["content_type", "action"]
    search_fields = ["user__username", "object_id"]
    fields = ["at", "user", "content_type", "object_id", "action", "path"]
    readonly_fields = fields


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "kind", "detail", "ip_address"]
    list_filter = ["kind"]
    search_fields = ["user__username"]
    readonly_fields = ["at", "user", "kind", "detail", "ip_address", "user_agent"]


class UserAdmin(NoDeleteMixin, DjangoUserAdmin):
    pass


admin.site.unregister(User)
admin.site.register(User, UserAdmin)
