import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "name",
    [
        "home",
        "obligations",
        "organisation:group",
        "organisation:people",
        "organisation:parties",
        "organisation:mandate-periods",
    ],
)
def test_main_pages_render_for_the_group_coordinator(client_for, name):
    response = client_for("samordnare").get(reverse(name))
    assert response.status_code == 200
