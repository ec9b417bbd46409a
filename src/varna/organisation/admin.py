from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Body,
    ExternalParty,
    IdentityProviderGroupMapping,
    MunicipalGroup,
    OrgUnit,
    Person,
    RoleAssignment,
    RoleSetting,
)

admin.site.register(MunicipalGroup)
admin.site.register(Body, SimpleHistoryAdmin)


@admin.register(OrgUnit)
class OrgUnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "parent"]
    search_fields = ["name", "code"]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["last_name", "first_name", "unit", "email"]
    search_fields = ["last_name", "first_name", "email", "employee_number"]
    raw_id_fields = ["unit", "user"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["person", "role", "unit", "valid_from", "valid_to"]
    list_filter = ["role"]
    raw_id_fields = ["person", "unit"]


@admin.register(RoleSetting)
class RoleSettingAdmin(admin.ModelAdmin):
    list_display = ["group", "role", "require_otp"]


@admin.register(IdentityProviderGroupMapping)
class IdentityProviderGroupMappingAdmin(admin.ModelAdmin):
    list_display = ["idp_group", "role", "unit", "group"]
    raw_id_fields = ["unit"]


admin.site.register(ExternalParty, SimpleHistoryAdmin)
