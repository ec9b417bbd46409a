from collections import Counter

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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
from .profiles import ProfileError, available_profiles, load_profile


def profile_choices() -> list[tuple[str, str]]:
    """The policy profiles by the municipality whose policy each holds: an administrator knows
    "Härjedalens kommun", not the file harjedalen.yaml. The key is added only where two
    profiles are one municipality's (a draft beside the policy in force, say). A profile that
    does not load is left out: a group given it would not open."""
    names = {}
    for key in available_profiles():
        try:
            names[key] = load_profile(key).municipality["name"]
        except ProfileError:
            continue
    shared = Counter(names.values())
    return [(key, name if shared[name] == 1 else f"{name} ({key})") for key, name in names.items()]


@admin.register(MunicipalGroup)
class MunicipalGroupAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "municipality_name", "policy_profile"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "profile_key":
            return forms.ChoiceField(choices=profile_choices, label=db_field.verbose_name)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("policy profile"))
    def policy_profile(self, group):
        return dict(profile_choices()).get(group.profile_key, group.profile_key)


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
