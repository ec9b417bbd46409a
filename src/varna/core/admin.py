from django.contrib import admin

from .models import AccessLogEntry, Notification, Task


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "content_type", "object_repr", "action"]
    list_filter = ["content_type", "action"]
    search_fields = ["object_repr", "user__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Notification)
admin.site.register(Task)
