"""Desk admin pages: the request type's update standard and the standard's obstacle rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from insideout.servicedesk.models import RequestType, ServiceStandard
from insideout.servicedesk.tests.test_manage_catalog import _type_post
from insideout.servicedesk.tests.test_manage_desks import _errors, _messages
from insideout.servicedesk.tests.test_manage_standards import _post

ClientFor = Callable[[Any], Client]

ROW = {"key": "model", "label": "Model", "type": "choice", "choices": "13 inch\n15 inch", "ORDER": "1"}


def _type_url(desk: dict[str, Any]) -> str:
    return f"/desks/types/{desk['request_type'].pk}/"


def _every(desk: dict[str, Any]) -> int | None:
    return RequestType.objects.values_list("update_every_minutes", flat=True).get(pk=desk["request_type"].pk)


@pytest.mark.parametrize(
    ("every", "unit", "minutes"),
    [("2", "days", 960), ("3", "hours", 180), ("", "days", None), ("30", "days", 14_400), ("1", "hours", 60)],
    ids=["two_days", "three_hours", "none", "thirty_days", "one_hour"],
)
def test_the_update_standard_is_saved_in_business_minutes(
    desk: dict[str, Any], client_for: ClientFor, every: str, unit: str, minutes: int | None
) -> None:
    response = client_for(desk["lead"]).post(
        _type_url(desk), _type_post([ROW], initial=1, update_every=every, update_unit=unit)
    )

    assert response.status_code == 302, _errors(response.context["form"])
    assert _every(desk) == minutes


def test_the_edit_page_shows_the_saved_interval(desk: dict[str, Any], client_for: ClientFor) -> None:
    client = client_for(desk["lead"])
    client.post(_type_url(desk), _type_post([ROW], initial=1, update_every="2", update_unit="days"))

    response = client.get(_type_url(desk))

    form = response.context["form"]
    assert (form.initial["update_every"], form.initial["update_unit"]) == (2, "days")
    assert 'name="update_every"' in response.content.decode()
    assert "Keeping people informed" in response.content.decode()


def test_an_interval_out_of_bounds_is_refused_next_to_its_field(desk: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(desk["lead"]).post(
        _type_url(desk), _type_post([ROW], initial=1, update_every="31", update_unit="days")
    )

    assert response.status_code == 200
    assert _errors(response.context["form"]) == {
        "update_every": [
            "Choose an interval between 1 business hour and 30 business days "
            "(60 to 14,400 business minutes), or no update standard."
        ]
    }
    assert _every(desk) is None


def test_a_new_request_type_can_have_an_update_standard(desk: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(desk["lead"]).post(
        f"/desks/services/{desk['service'].pk}/types/new/",
        _type_post([], name="Docking station", update_every="4", update_unit="hours"),
    )

    assert response.status_code == 302
    assert RequestType.objects.get(name="Docking station").update_every_minutes == 240


def test_the_obstacle_rule_is_saved_as_a_new_version(desk: dict[str, Any], client_for: ClientFor) -> None:
    url = f"/desks/types/{desk['request_type'].pk}/standards/"
    client = client_for(desk["lead"])

    response = client.post(url, _post("P3", obstacles_pause_resolution="1"), follow=True)

    current = ServiceStandard.objects.get(request_type=desk["request_type"], priority="P3", is_current=True)
    assert (current.version, current.obstacles_pause_resolution) == (2, True)
    assert _messages(response)[0].startswith("P3 version 2 is saved.")
    row = next(row for row in response.context["rows"] if row["priority"] == "P3")
    assert row["words"].endswith("; an open obstacle pauses the resolution clock")
    assert row["form"].initial["obstacles_pause_resolution"] == "1"
    assert "While an obstacle is open" in response.content.decode()


def test_without_the_choice_an_obstacle_does_not_pause(desk: dict[str, Any], client_for: ClientFor) -> None:
    client_for(desk["lead"]).post(f"/desks/types/{desk['request_type'].pk}/standards/", _post("P2"))

    current = ServiceStandard.objects.get(request_type=desk["request_type"], priority="P2", is_current=True)
    assert (current.version, current.obstacles_pause_resolution) == (2, False)


def test_agents_cannot_change_the_new_fields(desk: dict[str, Any], client_for: ClientFor) -> None:
    client = client_for(desk["agent"])

    type_page = client.post(_type_url(desk), _type_post([ROW], initial=1, update_every="2", update_unit="days"))
    standards = client.post(
        f"/desks/types/{desk['request_type'].pk}/standards/", _post("P3", obstacles_pause_resolution="1")
    )

    assert (type_page.status_code, standards.status_code) == (403, 403)
    assert _every(desk) is None
    assert not ServiceStandard.objects.filter(obstacles_pause_resolution=True).exists()
