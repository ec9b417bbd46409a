from django.contrib import admin

from varna.core.admin import NoDeleteMixin, VersionedAdmin

from .models import (
    Body,
    IdentityProviderGroupMapping,
    MunicipalGroup,
    OrgUnit,
    Person,
    RoleAssignment,
    RoleSetting,
)


@admin.register(MunicipalGroup)
class MunicipalGroupAdmin(NoDeleteMixin, admin.ModelAdmin):
    pass


admin.site.register(Body, VersionedAdmin)


@admin.register(OrgUnit)
class OrgUnitAdmin(NoDeleteMixin, VersionedAdmin):
    list_display = ["name", "code", "kind", "parent"]
    search_fields = ["name", "code"]


@admin.register(Person)
class PersonAdmin(NoDeleteMixin, VersionedAdmin):
    list_display = ["last_name", "first_name", "unit", "email"]
    search_fields = ["last_name", "first_name", "email", "employee_number"]
    raw_id_fields = ["unit", "user"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(VersionedAdmin):
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
