from django.urls import path

from . import first_run, import_views, role_import_views, views

app_name = "organisation"

urlpatterns = [
    path("", views.group_overview, name="group"),
    path("kom-igang/", first_run.first_run, name="first-run"),
    path("enheter/ny/", views.unit_create, name="unit-create"),
    path("enheter/<int:pk>/", views.unit_detail, name="unit"),
    path("enheter/<int:pk>/andra/", views.UnitUpdateView.as_view(), name="unit-edit"),
    path("organ/<int:pk>/", views.body_detail, name="body"),
    path("personer/", views.people_list, name="people"),
    path("personer/ny/", views.person_create, name="person-create"),
    path("personer/<int:pk>/", views.person_detail, name="person"),
    path("personer/<int:pk>/andra/", views.PersonUpdateView.as_view(), name="person-edit"),
    path("roller/ny/", views.role_create, name="role-create"),
    path("roller/<int:pk>/andra/", views.RoleUpdateView.as_view(), name="role-edit"),
    path("roller/<int:pk>/avsluta/", views.role_end, name="role-end"),
    path("externa-parter/", views.party_list, name="parties"),
    path("externa-parter/ny/", views.party_create, name="party-create"),
    path("externa-parter/<int:pk>/", views.party_detail, name="party"),
    path("externa-parter/<int:pk>/andra/", views.PartyUpdateView.as_view(), name="party-edit"),
    path("externa-parter/<int:party_pk>/avtal/nytt/", views.contract_create, name="contract-create"),
    path("mandatperioder/", views.mandate_periods, name="mandate-periods"),
    path("import/", import_views.import_people, name="import"),
    path("import/roller/", role_import_views.role_import_view, name="role-import"),
]
