"""No form gives a server error, whatever is posted (issue 10, findings 9 and 10 and the class).

Every form page of the application is fetched as the group's coordinator, the fields of each
POST form on it are read from the HTML (what a person, or an attacker, can post), and
hypothesis posts odd values to them: ids too large for the database, negative and non-numeric
ids, several values where one is expected, XML-illegal and NUL characters, odd dates and numbers.
The answer may be a refusal with a message or a saved record; never a 500."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from varna.documents.models import Document
from varna.incidents.models import CostItem, Incident
from varna.insurance.models import InsurancePolicy
from varna.organisation.models import ExternalParty, OrgUnit, Person, RoleAssignment
from varna.risks.models import Measure, Risk, VitalFunction

from .test_versioned_forms import EDIT_VIEWS

CREATE_PAGES = [
    "organisation:unit-create",
    "organisation:role-create",
    "organisation:person-create",
    "organisation:party-create",
    "documents:create",
    "risks:create",
    "risks:analysis-create",
    "risks:measure-create",
    "risks:function-create",
    "insurance:create",
    "incidents:report",
]
# Forms on a record's pages, and the model of the record.
RECORD_PAGES = {
    **{name: view_class.model for name, view_class in EDIT_VIEWS},
    "risks:risk": Risk,
    "risks:assess": Risk,
    "risks:accept": Risk,
    "risks:measure": Measure,
    "risks:function": VitalFunction,
    "documents:document": Document,
    "documents:version-create": Document,
    "documents:decision": Document,
    "documents:replace": Document,
    "documents:acknowledgements": Document,
    "incidents:incident": Incident,
    "insurance:policy": InsurancePolicy,
    "organisation:unit": OrgUnit,
    "organisation:person": Person,
    "organisation:party": ExternalParty,
}


class _Forms(HTMLParser):
    """The POST forms of a page: their action and their fields with the values offered."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea") and a.get("name"):
            if a.get("type") in ("file", "submit"):
                return
            field = self._form["fields"].setdefault(a["name"], {"tag": tag, "type": a.get("type"), "values": []})
            if a.get("value") is not None:
                field["values"].append(a["value"])
            if tag == "select":
                self._select = field
        elif tag == "option" and self._select is not None and a.get("value"):
            self._select["values"].append(a["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _record(model, group):
    if model is CostItem:
        incident = Incident.objects.filter(group=group).order_by("pk").first()
        return CostItem.objects.create(incident=incident, kind="repair", estimated=1000)
    queryset = model.objects.all()
    if model is RoleAssignment:
        queryset = queryset.filter(unit__group=group)
    elif hasattr(model, "group"):
        queryset = queryset.filter(group=group)
    if model is Document:
        queryset = queryset.filter(status="in_force")
    return queryset.order_by("pk").first()


ODD_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(["\x00", "\ufffe", "\uffff", "\x0b", "\x1f", "<", "'", "%", "\u202e", "0", "-", " "]),
        st.characters(exclude_categories=("Cs",)),
    ),
    max_size=40,
)
ODD_NUMBER = st.sampled_from(
    ["99999999999999999999", "-1", "0", "1e5", "NaN", "1,5", "²", "9223372036854775808", "", " 7 ", "0x10"]
)
ODD_DATE = st.sampled_from(["2026-02-30", "99999-01-01", "0000-00-00", "1.1.2026", "igår", "2026-13-01"])


def _odd_value(field):
    choices = [st.just(v) for v in field["values"]]
    return st.one_of(ODD_TEXT, ODD_NUMBER, ODD_DATE, *choices)


def _fuzz(client, url, form, data_strategy_examples=15):
    fields = {name: f for name, f in form["fields"].items() if name != "csrfmiddlewaretoken"}
    if not fields:
        return
    strategy = st.fixed_dictionaries(
        {},
        optional={
            name: st.one_of(_odd_value(f), st.lists(_odd_value(f), min_size=2, max_size=3))
            for name, f in fields.items()
        },
    )

    # Every field at once with the same odd value (each field is cleaned, whatever the others
    # give), then hypothesis's mixtures.
    for odd in ("99999999999999999999", "-1", "abc", "\ufffe\x00"):
        for value in (odd, [odd, "1"]):
            response = client.post(url, dict.fromkeys(fields, value))
            assert response.status_code < 500, (url, value)

    @settings(
        max_examples=data_strategy_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(strategy)
    def post(data):
        response = client.post(url, data)
        assert response.status_code < 500, (url, data)

    post()


def _page_forms(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _Forms()
    parser.feed(response.content.decode())
    return [
        (f["action"] or url, f) for f in parser.forms if "logga-ut" not in f["action"] and "i18n" not in f["action"]
    ]


@pytest.mark.parametrize("name", CREATE_PAGES)
def test_create_forms_never_give_a_server_error(client_for, group, name):
    client = client_for("samordnare")
    for action, form in _page_forms(client, reverse(name)):
        _fuzz(client, action, form)


@pytest.mark.parametrize("name", sorted(RECORD_PAGES))
def test_record_forms_never_give_a_server_error(client_for, group, name):
    record = _record(RECORD_PAGES[name], group)
    client = client_for("samordnare")
    for action, form in _page_forms(client, reverse(name, args=[record.pk])):
        _fuzz(client, action, form, data_strategy_examples=8)


def test_the_public_report_form_never_gives_a_server_error(group, client):
    for action, form in _page_forms(client, reverse("incidents:public-report")):
        _fuzz(client, action, form)
