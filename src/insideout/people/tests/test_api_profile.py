"""``PATCH /api/v1/me/profile``: what changes, what is refused, and that a refusal changes nothing."""

import pytest

from insideout.core.models import Event
from insideout.people import services
from insideout.people.models import Profile

INVALID = "The request is not valid; see errors."
TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"


def profile_row(employee):
    return Profile.objects.filter(pk=employee.pk).values().get()


def event_rows():
    return list(Event.objects.order_by("pk").values_list("pk", "type", "subject_id", "payload"))


def test_patch_changes_the_given_fields_and_records_one_event(org, api, token_for):
    eve = org["employee"]

    response = api(
        "patch",
        "/api/v1/me/profile",
        token=token_for(eve, scope="write"),
        json={
            "preferred_channel": "in_app",
            "language": "DE",
            "communication_style": "stories",
            "recognition_preference": "team",
            "interests": [" chess ", "Chess", "cycling"],
            "working_hours": {"days": ["wed", "mon"], "start": "09:30", "end": "17:00"},
        },
    )

    assert response.status_code == 200
    assert response.json() == {
        "preferred_channel": "in_app",
        "language": "de",
        "communication_style": "stories",
        "recognition_preference": "team",
        "interests": ["chess", "cycling"],
        "working_hours": {"days": ["mon", "wed"], "start": "09:30", "end": "17:00"},
        "about": "",
    }
    row = profile_row(eve)
    assert (row["preferred_channel"], row["language"], row["interests"]) == ("in_app", "de", ["chess", "cycling"])
    event = Event.objects.filter(type="people.profile_changed").get()
    assert (event.subject_type, event.subject_id, event.actor_id) == ("people.employee", str(eve.pk), eve.user_id)
    assert event.payload == {
        "changed": [
            "communication_style",
            "interests",
            "language",
            "preferred_channel",
            "recognition_preference",
            "working_hours",
        ]
    }


def test_patch_leaves_fields_it_does_not_name(org, api, token_for):
    eve = org["employee"]
    services.profile_update(profile=eve.profile, interests=["chess"], about="Hello")

    response = api("patch", "/api/v1/me/profile", token=token_for(eve, scope="write"), json={"about": "Hi"})

    assert response.status_code == 200
    assert response.json()["interests"] == ["chess"]
    assert response.json()["about"] == "Hi"


def test_patch_with_the_same_values_records_no_event(org, api, token_for):
    eve = org["employee"]
    token = token_for(eve, scope="write")
    events = event_rows()

    response = api("patch", "/api/v1/me/profile", token=token, json={"preferred_channel": "email"})

    assert response.status_code == 200
    assert response.json()["preferred_channel"] == "email"
    assert event_rows() == events


def test_patch_null_clears_working_hours_and_language(org, api, token_for):
    eve = org["employee"]
    services.profile_update(
        profile=eve.profile, language="de", working_hours={"days": ["mon"], "start": "09:00", "end": "17:00"}
    )

    response = api(
        "patch",
        "/api/v1/me/profile",
        token=token_for(eve, scope="write"),
        json={"working_hours": None, "language": None},
    )

    assert response.status_code == 200
    assert (response.json()["working_hours"], response.json()["language"]) == (None, "")
    assert (profile_row(eve)["working_hours"], profile_row(eve)["language"]) == ({}, "")


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        pytest.param(
            {"preferred_channel": "fax"},
            [{"field": "preferred_channel", "message": "Input should be 'email', 'chat' or 'in_app'"}],
            id="bad_channel_choice",
        ),
        pytest.param(
            {"communication_style": "loud"},
            [{"field": "communication_style", "message": "Input should be 'facts', 'stories' or 'mixed'"}],
            id="bad_style_choice",
        ),
        pytest.param(
            {"recognition_preference": "fireworks"},
            [{"field": "recognition_preference", "message": "Input should be 'public', 'team' or 'private'"}],
            id="bad_recognition_choice",
        ),
        pytest.param(
            {"language": "xx"},
            [{"field": "language", "message": "“xx” is not a known language code, e.g. en or de."}],
            id="unknown_language",
        ),
        pytest.param(
            {"language": "klingon-tlh"},
            [{"field": "language", "message": "String should have at most 10 characters"}],
            id="language_too_long",
        ),
        pytest.param(
            {"interests": [f"topic {n}" for n in range(16)]},
            [{"field": "interests", "message": "List should have at most 15 items after validation, not 16"}],
            id="too_many_interests",
        ),
        pytest.param(
            {"interests": ["x" * 41]},
            [{"field": "interests", "message": "“xxxxxxxxxxxxxxxxxxxx…” is longer than 40 characters."}],
            id="interest_too_long",
        ),
        pytest.param(
            {"interests": ["chess", 7]},
            [{"field": "interests.1", "message": "Input should be a valid string"}],
            id="interest_not_text",
        ),
        pytest.param(
            {"working_hours": {"days": ["mon"], "start": "17:00", "end": "09:00"}},
            [{"field": "working_hours", "message": "Working hours must end after they start."}],
            id="working_hours_end_before_start",
        ),
        pytest.param(
            {"working_hours": {"days": ["mon"], "start": "9am", "end": "17:00"}},
            [{"field": "working_hours.start", "message": f"String should match pattern '{TIME_PATTERN}'"}],
            id="bad_time_format",
        ),
        pytest.param(
            {"working_hours": {"days": ["mon"], "start": "09:00", "end": "24:00"}},
            [{"field": "working_hours.end", "message": f"String should match pattern '{TIME_PATTERN}'"}],
            id="time_out_of_range",
        ),
        pytest.param(
            {"working_hours": {"days": ["funday"], "start": "09:00", "end": "17:00"}},
            [
                {
                    "field": "working_hours.days.0",
                    "message": "Input should be 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun'",
                }
            ],
            id="unknown_weekday",
        ),
        pytest.param(
            {"working_hours": {"days": [], "start": "09:00", "end": "17:00"}},
            [{"field": "working_hours", "message": "Pick at least one working day."}],
            id="no_working_days",
        ),
        pytest.param(
            {"working_hours": {"start": "09:00", "end": "17:00"}},
            [{"field": "working_hours.days", "message": "Field required"}],
            id="working_days_missing",
        ),
        pytest.param(
            {"about": "a" * 501},
            [{"field": "about", "message": "String should have at most 500 characters"}],
            id="about_too_long",
        ),
        pytest.param(
            {"nickname": "Evie"},
            [{"field": "nickname", "message": "Extra inputs are not permitted"}],
            id="unknown_extra_field",
        ),
        pytest.param(
            {"about": "Valid on its own", "language": "xx"},
            [{"field": "language", "message": "“xx” is not a known language code, e.g. en or de."}],
            id="valid_field_with_invalid_field",
        ),
        pytest.param(
            {"preferred_channel": "fax", "nickname": "Evie"},
            [
                {"field": "preferred_channel", "message": "Input should be 'email', 'chat' or 'in_app'"},
                {"field": "nickname", "message": "Extra inputs are not permitted"},
            ],
            id="two_invalid_fields",
        ),
        pytest.param(
            ["not", "an", "object"],
            [{"field": "__all__", "message": "Input should be a valid dictionary or object to extract fields from"}],
            id="not_an_object",
        ),
    ],
)
def test_invalid_patch_is_422_naming_the_field_and_changes_nothing(org, api, token_for, body, errors):
    eve = org["employee"]
    token = token_for(eve, scope="write")
    before, events = profile_row(eve), event_rows()

    response = api("patch", "/api/v1/me/profile", token=token, json=body)

    assert response.status_code == 422
    assert response.json() == {"detail": INVALID, "errors": errors}
    assert profile_row(eve) == before
    assert event_rows() == events


def test_unparsable_body_is_400_and_changes_nothing(org, api, token_for):
    eve = org["employee"]
    token = token_for(eve, scope="write")
    before, events = profile_row(eve), event_rows()

    response = api("patch", "/api/v1/me/profile", token=token, data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": "Cannot parse request body", "errors": []}
    assert profile_row(eve) == before
    assert event_rows() == events


def test_read_scope_token_may_not_patch_and_changes_nothing(org, api, token_for):
    eve = org["employee"]
    token = token_for(eve, scope="read")
    before, events = profile_row(eve), event_rows()

    response = api("patch", "/api/v1/me/profile", token=token, json={"about": "Changed"})

    assert response.status_code == 403
    assert response.json() == {
        "detail": "This token is read-only; create one with the write scope to change data.",
        "errors": [],
    }
    assert profile_row(eve) == before
    assert event_rows() == events


def test_patch_changes_only_the_callers_own_profile(org, api, token_for):
    others = {key: profile_row(org[key]) for key in ("manager", "lead", "agent", "admin")}

    response = api("patch", "/api/v1/me/profile", token=token_for(org["employee"], scope="write"), json={"about": "Me"})

    assert response.status_code == 200
    assert {key: profile_row(org[key]) for key in others} == others
