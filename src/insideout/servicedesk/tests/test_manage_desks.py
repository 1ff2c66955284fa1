"""Desk admin pages: the desks list, opening a desk, the overview and the calendar editor."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from insideout.core.models import Event
from insideout.people import services as people_services
from insideout.people.tests.factories import EmployeeFactory, UnitFactory
from insideout.servicedesk import services
from insideout.servicedesk.models import CalendarVersion, Desk, RequestClock
from insideout.servicedesk.tests.factories import request_create
from insideout.servicedesk.views import manage

ClientFor = Callable[[Any], Client]
BERLIN = ZoneInfo("Europe/Berlin")


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _errors(form: Any) -> dict[str, list[str]]:
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def _calendar_post(**changes: str) -> dict[str, str]:
    data = {
        "time_zone": "Europe/Berlin",
        "country": "DE",
        "subdivision": "BE",
        "holidays": "",
        "closures": "",
        **{f"week_{day}": "09:00–12:30, 13:30–17:00" for day in ("mon", "tue", "wed", "thu", "fri")},
        "week_sat": "",
        "week_sun": "",
    }
    return data | changes


@pytest.fixture
def facilities(org: dict[str, Any]) -> Any:
    """A second service-providing unit, led by Lena, with no desk yet."""
    unit = UnitFactory(code="FAC", name="Facilities", kind="department", parent=org["company"], provides_services=True)
    people_services.unit_update(unit=unit, lead=org["lead"])
    return unit


# --- the desks list -------------------------------------------------------------------------------


def test_desks_lists_the_desks_i_administer_and_units_to_open(
    desk: dict[str, Any], facilities: Any, client_for: ClientFor
) -> None:
    response = client_for(desk["lead"]).get("/desks/")

    assert response.status_code == 200
    assert [d.prefix for d in response.context["desks"]] == ["IT"]
    assert [unit.name for unit in response.context["openable"]] == ["Facilities"]
    page = response.content.decode()
    assert f'<a href="/desks/{desk["desk"].pk}/">IT</a>' in page
    assert "This unit you lead provides services but has no desk yet." in page
    assert "Open the desk" in page


def test_desks_says_so_to_someone_who_administers_none(desk: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(desk["agent"]).get("/desks/")

    assert response.status_code == 200
    assert response.context["desks"] == []
    assert "You do not administer a service desk." in response.content.decode()
    assert "Open the desk" not in response.content.decode()


def test_opening_a_desk_creates_it_with_a_first_calendar(
    desk: dict[str, Any], facilities: Any, client_for: ClientFor
) -> None:
    response = client_for(desk["lead"]).post(
        "/desks/",
        {"unit": facilities.pk, "number_prefix": "fac", "time_zone": "Europe/Vienna", "country": "AT"},
        follow=True,
    )

    opened = Desk.objects.get(unit=facilities)
    assert response.redirect_chain == [(f"/desks/{opened.pk}/", 302)]
    assert _messages(response) == ["The service desk of Facilities is open. Add its services next."]
    assert (opened.prefix, opened.calendar.version, opened.calendar.time_zone, opened.calendar.country) == (
        "FAC",
        1,
        "Europe/Vienna",
        "AT",
    )
    assert Event.objects.filter(type="servicedesk.catalog_changed", payload__what="desk_created").count() == 2


def test_opening_a_desk_with_a_bad_prefix_says_why_and_opens_nothing(
    desk: dict[str, Any], facilities: Any, client_for: ClientFor
) -> None:
    response = client_for(desk["lead"]).post(
        "/desks/", {"unit": facilities.pk, "number_prefix": "IT", "time_zone": "Mars/Olympus"}
    )

    assert response.status_code == 200
    assert _errors(response.context["form"]) == {"number_prefix": ["Another service desk already uses the prefix IT."]}
    assert not Desk.objects.filter(unit=facilities).exists()


def test_opening_a_desk_with_an_unknown_zone_says_why(
    desk: dict[str, Any], facilities: Any, client_for: ClientFor
) -> None:
    response = client_for(desk["lead"]).post(
        "/desks/", {"unit": facilities.pk, "number_prefix": "FAC", "time_zone": "Mars/Olympus"}
    )

    assert _errors(response.context["form"]) == {
        "time_zone": ["Unknown time zone “Mars/Olympus”; use a name such as Europe/Berlin."]
    }
    assert not Desk.objects.filter(unit=facilities).exists()


def test_a_superuser_opens_a_desk_for_any_unit_without_one(
    desk: dict[str, Any], facilities: Any, client_for: ClientFor, django_user_model: Any
) -> None:
    root = django_user_model.objects.create_superuser(username="root", email="root@example.org", password="x")
    client = client_for(root)

    offered = [unit.name for unit in client.get("/desks/").context["openable"]]
    response = client.post("/desks/", {"unit": desk["helpdesk"].pk, "number_prefix": "HD", "time_zone": "UTC"})

    assert offered == ["Facilities", "Helpdesk"]
    assert response.status_code == 302
    assert Desk.objects.get(unit=desk["helpdesk"]).prefix == "HD"


def test_only_the_lead_may_open_a_desk(desk: dict[str, Any], facilities: Any, client_for: ClientFor) -> None:
    response = client_for(desk["agent"]).post("/desks/", {"unit": facilities.pk, "number_prefix": "FAC"})

    assert response.status_code == 403
    assert not Desk.objects.filter(unit=facilities).exists()


# --- the overview ---------------------------------------------------------------------------------


def test_overview_shows_settings_calendar_catalog_and_standards(desk: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(desk["lead"]).get(f"/desks/{desk['desk'].pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Service desk of IT</h1>" in page
    assert "<dt>Version</dt><dd>2</dd>" in page
    assert "<dt>Time zone</dt><dd>Europe/Berlin</dd>" in page
    assert "<dt>Public holidays</dt><dd>DE / BE</dd>" in page
    assert "<dt>Monday</dt><dd>09:00–12:30, 13:30–17:00</dd>" in page
    assert "<dt>Saturday</dt><dd>closed</dd>" in page
    assert f'<a href="/desks/services/{desk["service"].pk}/">Laptops</a>' in page
    assert f'<a href="/desks/types/{desk["request_type"].pk}/">New laptop</a>' in page
    cells = [cell["text"] for cell in response.context["catalog"][0].request_types.all()[0].standard_cells]
    assert cells == ["30 min / 4 h", "2 h / 8 h", "4 h / 24 h", "8 h / 40 h"]
    assert response.context["form"].initial == {"number_prefix": "IT", "auto_close_days": 5}


def test_saving_the_settings_changes_auto_close(desk: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(desk["lead"]).post(
        f"/desks/{desk['desk'].pk}/", {"number_prefix": "IT", "auto_close_days": "7"}, follow=True
    )

    assert _messages(response) == ["The desk's settings are saved."]
    assert Desk.objects.values_list("prefix", "auto_close_days").get(pk=desk["desk"].pk) == ("IT", 7)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"number_prefix": "IT", "auto_close_days": "0"},
            {"auto_close_days": ["Ensure this value is greater than or equal to 1."]},
        ),
        (
            {"number_prefix": "it 2", "auto_close_days": "5"},
            {"number_prefix": ["Use 1 to 12 capital letters or digits, starting with a letter, e.g. IT or HR2."]},
        ),
    ],
    ids=["auto close below one day", "prefix with a space"],
)
def test_invalid_settings_are_refused_next_to_the_field(
    desk: dict[str, Any], client_for: ClientFor, data: dict[str, str], errors: dict[str, list[str]]
) -> None:
    response = client_for(desk["lead"]).post(f"/desks/{desk['desk'].pk}/", data)

    assert response.status_code == 200
    assert _errors(response.context["form"]) == errors
    assert Desk.objects.values_list("prefix", "auto_close_days").get(pk=desk["desk"].pk) == ("IT", 5)


def test_the_prefix_can_change_before_the_first_request(desk: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(desk["lead"]).post(
        f"/desks/{desk['desk'].pk}/", {"number_prefix": "help", "auto_close_days": "5"}, follow=True
    )

    assert response.redirect_chain == [("./", 302)]
    assert Desk.objects.values_list("prefix", flat=True).get(pk=desk["desk"].pk) == "HELP"


def test_the_prefix_stays_once_requests_are_numbered(desk: dict[str, Any], client_for: ClientFor) -> None:
    request_create(requester=desk["employee"], request_type=desk["request_type"])

    response = client_for(desk["lead"]).post(
        f"/desks/{desk['desk'].pk}/", {"number_prefix": "HELP", "auto_close_days": "9"}
    )

    assert _errors(response.context["form"]) == {
        "number_prefix": ["The prefix cannot change once requests have been numbered with it."]
    }
    assert Desk.objects.values_list("prefix", "auto_close_days").get(pk=desk["desk"].pk) == ("IT", 5)


# --- the calendar editor --------------------------------------------------------------------------


def test_calendar_editor_shows_the_saved_calendar_and_its_versions(desk: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(desk["lead"]).get(f"/desks/{desk['desk'].pk}/calendar/")

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["week_mon"] == "09:00–12:30, 13:30–17:00"
    assert form.initial["week_sat"] == ""
    assert (form.initial["time_zone"], form.initial["country"], form.initial["subdivision"]) == (
        "Europe/Berlin",
        "DE",
        "BE",
    )
    assert [(v.version, v.created_by.employee.name) for v in response.context["versions"]] == [
        (2, "Lena Lead"),
        (1, "Lena Lead"),
    ]
    assert len(response.context["days"]) == 14
    assert "The saved calendar. Times are local to the desk." in response.content.decode()
    assert 'list="zone-names"' in response.content.decode()
    assert '<option value="Europe/Berlin">' in response.content.decode()


def test_saving_the_calendar_writes_a_version_and_moves_open_clocks_onto_it(
    desk: dict[str, Any], client_for: ClientFor, django_capture_on_commit_callbacks: Any
) -> None:
    open_request = request_create(requester=desk["employee"], request_type=desk["request_type"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(desk["lead"]).post(
            f"/desks/{desk['desk'].pk}/calendar/",
            _calendar_post(
                week_mon="08:00-12:00,13:00-24:00",
                week_sat="10:00–14:00",
                holidays="2026-12-24\n2026-12-31",
                closures="2026-12-28 12:00 – 2026-12-29 10:00",
            ),
            follow=True,
        )

    assert _messages(response) == [
        "Calendar version 3 is saved. Open requests are counted on it from now on; "
        "finished ones keep the calendar they ran on."
    ]
    saved = CalendarVersion.objects.get(desk=desk["desk"], version=3)
    assert saved.week["mon"] == [["08:00", "12:00"], ["13:00", "24:00"]]
    assert saved.week["sat"] == [["10:00", "14:00"]]
    assert "sun" not in saved.week
    assert saved.holidays == ["2026-12-24", "2026-12-31"]
    assert saved.closures == [["2026-12-28T12:00:00+01:00", "2026-12-29T10:00:00+01:00"]]
    assert Desk.objects.get(pk=desk["desk"].pk).calendar_id == saved.pk
    event = Event.objects.filter(type="servicedesk.calendar_changed").latest("pk")
    assert event.payload == {"version": 3, "calendar": saved.pk}
    assert set(RequestClock.objects.filter(request=open_request).values_list("calendar_id", flat=True)) == {saved.pk}


def test_a_finished_clock_keeps_the_calendar_it_ran_on(
    desk: dict[str, Any], client_for: ClientFor, django_capture_on_commit_callbacks: Any
) -> None:
    finished = request_create(requester=desk["employee"], request_type=desk["request_type"])
    services.request_comment(actor=desk["agent"].user, request=finished, body="On it.")
    before = RequestClock.objects.get(request=finished, metric="first_response")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(desk["lead"]).post(f"/desks/{desk['desk'].pk}/calendar/", _calendar_post(week_sun="10:00–12:00"))

    after = RequestClock.objects.get(pk=before.pk)
    assert (after.calendar_id, after.met_at, after.state) == (before.calendar_id, before.met_at, "met")
    assert RequestClock.objects.get(request=finished, metric="resolution").calendar.version == 3


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"time_zone": "Europe/Atlantis"},
            {"time_zone": ["Unknown time zone “Europe/Atlantis”; use a name such as Europe/Berlin."]},
        ),
        ({"week_tue": "9 to 5"}, {"week_tue": ["“9 to 5” is not a time range; write e.g. 09:00–12:30, 13:30–17:00."]}),
        (
            {"week_wed": "09:00–13:00, 12:00–17:00"},
            {"week_wed": ["09:00–13:00 and 12:00–17:00 overlap."]},
        ),
        ({"week_thu": "17:00–09:00"}, {"week_thu": ["17:00–09:00 must start before it ends."]}),
        ({"week_fri": "09:00–25:00"}, {"week_fri": ["“25:00” is not a time of day between 00:00 and 24:00."]}),
        ({"holidays": "24.12.2026"}, {"holidays": ["“24.12.2026” is not a date (YYYY-MM-DD)."]}),
        (
            {"closures": "tomorrow"},
            {"closures": ["“tomorrow”: write a closure as 2026-12-28 12:00 – 2026-12-29 10:00."]},
        ),
        ({"closures": "2026-12-29 10:00 – 2026-12-28 12:00"}, {"closures": ["A closure must end after it starts."]}),
        ({"country": "XX"}, {"country": ["No public holidays are known for “XX”; use a two-letter code such as DE."]}),
        (
            {"subdivision": "ZZ"},
            {
                "subdivision": [
                    "“ZZ” is not a subdivision of DE; known ones: Augsburg, BB, BE, BW, BY, HB, HE, HH, MV, NI, NW, RP."
                ]
            },
        ),
        (
            {f"week_{day}": "" for day in ("mon", "tue", "wed", "thu", "fri")},
            {"__all__": ["Open the desk on at least one day: a calendar without opening hours never counts."]},
        ),
    ],
    ids=[
        "unknown zone",
        "not a range",
        "overlap",
        "backwards",
        "25 o'clock",
        "holiday format",
        "closure format",
        "closure backwards",
        "unknown country",
        "unknown subdivision",
        "never open",
    ],
)
def test_an_invalid_calendar_is_refused_next_to_the_field(
    desk: dict[str, Any], client_for: ClientFor, changes: dict[str, str], errors: dict[str, list[str]]
) -> None:
    versions = CalendarVersion.objects.count()

    response = client_for(desk["lead"]).post(f"/desks/{desk['desk'].pk}/calendar/", _calendar_post(**changes))

    assert response.status_code == 200
    assert _errors(response.context["form"]) == errors
    assert CalendarVersion.objects.count() == versions
    assert Desk.objects.values_list("calendar__version", flat=True).get(pk=desk["desk"].pk) == 2


def test_the_live_preview_shows_unsaved_values(desk: dict[str, Any], client_for: ClientFor, monkeypatch: Any) -> None:
    monkeypatch.setattr(manage, "_now", lambda: datetime(2026, 12, 21, 9, 0, tzinfo=BERLIN))

    response = client_for(desk["lead"]).get(
        f"/desks/{desk['desk'].pk}/calendar/preview/",
        _calendar_post(week_sat="10:00–14:00", holidays="2026-12-22"),
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert [(day.day.isoformat(), day.intervals) for day in response.context["days"][:7]] == [
        ("2026-12-21", (("09:00", "12:30"), ("13:30", "17:00"))),
        ("2026-12-22", ()),
        ("2026-12-23", (("09:00", "12:30"), ("13:30", "17:00"))),
        ("2026-12-24", (("09:00", "12:30"), ("13:30", "17:00"))),
        ("2026-12-25", ()),
        ("2026-12-26", ()),
        ("2026-12-27", ()),
    ]
    page = response.content.decode()
    assert "Preview of your unsaved changes." in page
    assert "<span>closed — holiday of the desk</span>" in page
    assert "<span>closed — Christmas Day</span>" in page
    assert "<html" not in page
    assert CalendarVersion.objects.count() == 2  # nothing saved


def test_the_live_preview_waits_for_a_valid_calendar(desk: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(desk["lead"]).get(
        f"/desks/{desk['desk'].pk}/calendar/preview/", _calendar_post(week_mon="09:00–13:00, 12:00–17:00")
    )

    assert response.context["days"] == []
    assert "The preview shows once the calendar is valid; see the messages in the form." in response.content.decode()


def test_the_preview_of_christmas_in_berlin_with_a_closure(
    desk: dict[str, Any], client_for: ClientFor, monkeypatch: Any
) -> None:
    """Hand-checked: 24 and 31 Dec are the desk's own holidays; 25 and 26 Dec and 1 Jan are Berlin's
    public holidays; a closure takes 28 Dec from noon to 29 Dec at ten."""
    services.calendar_update(
        actor=desk["lead"].user,
        desk=desk["desk"],
        time_zone="Europe/Berlin",
        week={day: [["09:00", "12:30"], ["13:30", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
        country="DE",
        subdivision="BE",
        holidays=["2026-12-24", "2026-12-31"],
        closures=[["2026-12-28T12:00", "2026-12-29T10:00"]],
    )
    monkeypatch.setattr(manage, "_now", lambda: datetime(2026, 12, 23, 23, 30, tzinfo=BERLIN))

    response = client_for(desk["lead"]).get(f"/desks/{desk['desk'].pk}/calendar/")

    lunch = "09:00–12:30, 13:30–17:00"
    shown = [
        line.strip()
        for line in response.content.decode().split('<ul class="preview-days">')[1].split("</ul>")[0].splitlines()
        if "<time" in line or "<span>" in line
    ]
    pairs = list(zip(shown[0::2], shown[1::2], strict=True))
    assert [
        (time.split(">")[1].split("<")[0], text.removeprefix("<span>").removesuffix("</span>")) for time, text in pairs
    ] == [
        ("Wed 23 Dec", lunch),
        ("Thu 24 Dec", "closed — holiday of the desk"),
        ("Fri 25 Dec", "closed — Christmas Day"),
        ("Sat 26 Dec", "closed — Second Day of Christmas"),
        ("Sun 27 Dec", "closed"),
        ("Mon 28 Dec", '09:00–12:00 <span class="muted">(part closed)</span>'),
        ("Tue 29 Dec", '10:00–12:30, 13:30–17:00 <span class="muted">(part closed)</span>'),
        ("Wed 30 Dec", lunch),
        ("Thu 31 Dec", "closed — holiday of the desk"),
        ("Fri 1 Jan", "closed — New Year&#x27;s Day"),
        ("Sat 2 Jan", "closed"),
        ("Sun 3 Jan", "closed"),
        ("Mon 4 Jan", lunch),
        ("Tue 5 Jan", lunch),
    ]


# --- who may ---------------------------------------------------------------------------------------


def make_sales_lead(org: dict[str, Any]) -> Any:
    """Mo becomes the lead of another unit (Sales): a lead who administers no desk."""
    people_services.unit_update(unit=org["sales"], lead=org["manager"])
    return org["manager"]


@pytest.fixture
def sales_lead(org: dict[str, Any]) -> Any:
    return make_sales_lead(org)


@pytest.mark.parametrize("who", ["agent", "employee", "sales_lead"])
@pytest.mark.parametrize("suffix", ["", "calendar/", "calendar/preview/?time_zone=UTC&week_mon=09:00-17:00"])
def test_only_admins_see_a_desk(
    desk: dict[str, Any], sales_lead: Any, client_for: ClientFor, who: str, suffix: str
) -> None:
    person = sales_lead if who == "sales_lead" else desk[who]

    response = client_for(person).get(f"/desks/{desk['desk'].pk}/{suffix}")

    assert response.status_code == 403


@pytest.mark.parametrize("who", ["agent", "employee", "sales_lead"])
def test_non_admins_change_nothing(desk: dict[str, Any], sales_lead: Any, client_for: ClientFor, who: str) -> None:
    person = sales_lead if who == "sales_lead" else desk[who]
    client = client_for(person)
    versions = list(CalendarVersion.objects.values_list("pk", flat=True))

    settings = client.post(f"/desks/{desk['desk'].pk}/", {"number_prefix": "X", "auto_close_days": "9"})
    calendar = client.post(f"/desks/{desk['desk'].pk}/calendar/", _calendar_post(week_sun="10:00–12:00"))

    assert (settings.status_code, calendar.status_code) == (403, 403)
    assert Desk.objects.values_list("prefix", "auto_close_days").get(pk=desk["desk"].pk) == ("IT", 5)
    assert list(CalendarVersion.objects.values_list("pk", flat=True)) == versions


def test_a_refusal_says_why(desk: dict[str, Any], facilities: Any, client_for: ClientFor) -> None:
    page = client_for(desk["agent"]).get(f"/desks/{desk['desk'].pk}/").content.decode()
    opening = client_for(desk["agent"]).post("/desks/", {"unit": facilities.pk, "number_prefix": "FAC"})

    assert "<p>Only the unit&#x27;s lead may change its service desk.</p>" in page
    assert "Desk admins are the lead of the desk's unit and the leads of the units above it." in page
    assert "<p>You lead no unit that provides services and has no desk yet.</p>" in opening.content.decode()


def test_an_unknown_desk_is_not_found(desk: dict[str, Any], client_for: ClientFor) -> None:
    assert client_for(desk["lead"]).get("/desks/999999/").status_code == 404


def test_a_superuser_administers_every_desk(
    desk: dict[str, Any], client_for: ClientFor, django_user_model: Any
) -> None:
    root = django_user_model.objects.create_superuser(username="root", email="root@example.org", password="x")

    assert client_for(root).get(f"/desks/{desk['desk'].pk}/calendar/").status_code == 200


# --- query counts ---------------------------------------------------------------------------------


def _more_catalog(desk: dict[str, Any], services_count: int) -> None:
    lead = desk["lead"].user
    for number in range(services_count):
        service = services.service_create(actor=lead, desk=desk["desk"], name=f"Service {number}", owner=desk["agent"])
        for kind in range(3):
            services.request_type_create(
                actor=lead,
                service=service,
                name=f"Type {kind}",
                fields=[{"key": "what", "label": "What", "type": "text"}],
            )


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_query_counts_of_the_overview_do_not_grow_with_the_catalog(desk: dict[str, Any], client_for: ClientFor) -> None:
    client = client_for(desk["lead"])
    url = f"/desks/{desk['desk'].pk}/"
    small = _count(client, url)
    _more_catalog(desk, 4)
    client = client_for(desk["lead"])

    assert (small, _count(client, url)) == (OVERVIEW_QUERIES, OVERVIEW_QUERIES)


def test_query_counts_of_the_desks_list_calendar_editor_and_preview(
    desk: dict[str, Any], facilities: Any, client_for: ClientFor
) -> None:
    preview = f"/desks/{desk['desk'].pk}/calendar/preview/?time_zone=Europe/Berlin&week_mon=09:00-17:00&country=DE"
    client = client_for(desk["lead"])
    small = [_count(client, url) for url in ("/desks/", f"/desks/{desk['desk'].pk}/calendar/", preview)]
    services.desk_create(actor=desk["lead"].user, unit=facilities, prefix="FAC")
    for code in ("LEGAL", "PR"):
        unit = UnitFactory(code=code, name=code.title(), parent=desk["company"], provides_services=True)
        people_services.unit_update(unit=unit, lead=desk["lead"])
    for _number in range(5):
        services.calendar_update(
            actor=desk["lead"].user,
            desk=desk["desk"],
            time_zone="Europe/Berlin",
            week={"mon": [["09:00", "17:00"]]},
            holidays=["2026-12-24"],
        )
    client = client_for(desk["lead"])
    large = [_count(client, url) for url in ("/desks/", f"/desks/{desk['desk'].pk}/calendar/", preview)]

    assert [len(client.get("/desks/").context[name]) for name in ("desks", "openable")] == [2, 2]
    assert (small, large) == ([DESKS_QUERIES, CALENDAR_QUERIES, PREVIEW_QUERIES],) * 2


def test_a_lead_of_a_unit_above_administers_the_desk(desk: dict[str, Any], client_for: ClientFor) -> None:
    boss = EmployeeFactory(username="cleo", first_name="Cleo", last_name="Chief", unit=desk["company"])
    people_services.unit_update(unit=desk["company"], lead=boss)

    response = client_for(boss).get("/desks/")

    assert [d.prefix for d in response.context["desks"]] == ["IT"]
    assert client_for(boss).get(f"/desks/{desk['desk'].pk}/calendar/").status_code == 200


OVERVIEW_QUERIES = 12
DESKS_QUERIES = 10
CALENDAR_QUERIES = 10
PREVIEW_QUERIES = 7
