"""``GET /api/v1/me`` and ``GET /api/v1/me/profile``."""

import pytest

from insideout.people import services
from insideout.people.models import User

NOT_IN_DIRECTORY = {
    "detail": "Your account has no person in the directory, so it has no profile.",
    "errors": [],
}


@pytest.fixture
def outsider(db):
    # Accounts without a person (administrators, integrations) come from Django's own
    # createsuperuser or admin, not from a directory service.
    return User.objects.create_user(username="olga", email="olga@example.org", first_name="Olga", last_name="Outside")


def test_me_returns_the_account_roles_and_person_with_profile(org, api, token_for):
    eve, mo, sales = org["employee"], org["manager"], org["sales"]
    services.profile_update(profile=eve.profile, interests=["chess"], communication_style="facts")

    response = api("get", "/api/v1/me", token=token_for(eve))

    assert response.status_code == 200
    assert response.json() == {
        "user_id": eve.user_id,
        "username": "eve",
        "name": "Eve Employee",
        "email": "eve@example.org",
        "roles": ["employee"],
        "person": {
            "id": eve.pk,
            "username": "eve",
            "name": "Eve Employee",
            "email": "eve@example.org",
            "title": "Specialist",
            "unit": sales.pk,
            "unit_name": "Sales",
            "manager": mo.pk,
            "manager_name": "Mo Manager",
            "location": "",
            "country": "",
            "time_zone": "Europe/Berlin",
            "is_active": True,
            "subdivision": "",
            "language": "en",
            "start_date": None,
            "profile": {
                "preferred_channel": "email",
                "language": "",
                "communication_style": "facts",
                "recognition_preference": "public",
                "interests": ["chess"],
                "working_hours": None,
                "about": "",
            },
        },
    }


@pytest.mark.parametrize(
    ("who", "roles"),
    [
        ("employee", ["employee"]),
        ("agent", ["employee", "agent"]),
        ("lead", ["employee", "agent", "lead", "manager"]),
        ("manager", ["employee", "manager"]),
        ("admin", ["employee", "people_ops"]),
    ],
)
def test_me_lists_the_roles_derived_from_the_data(org, api, token_for, who, roles):
    response = api("get", "/api/v1/me", token=token_for(org[who]))

    assert response.status_code == 200
    assert response.json()["roles"] == roles


def test_me_for_an_account_without_a_person_has_no_person(outsider, api, token_for):
    response = api("get", "/api/v1/me", token=token_for(outsider))

    assert response.status_code == 200
    assert response.json() == {
        "user_id": outsider.pk,
        "username": "olga",
        "name": "Olga Outside",
        "email": "olga@example.org",
        "roles": [],
        "person": None,
    }


def test_my_profile_returns_every_profile_field(org, api, token_for):
    eve = org["employee"]
    services.profile_update(
        profile=eve.profile,
        preferred_channel="chat",
        language="de",
        recognition_preference="private",
        interests=["cycling", "baking"],
        working_hours={"days": ["tue", "mon"], "start": "08:00", "end": "16:30"},
        about="Mornings are best.",
    )

    response = api("get", "/api/v1/me/profile", token=token_for(eve))

    assert response.status_code == 200
    assert response.json() == {
        "preferred_channel": "chat",
        "language": "de",
        "communication_style": "mixed",
        "recognition_preference": "private",
        "interests": ["cycling", "baking"],
        "working_hours": {"days": ["mon", "tue"], "start": "08:00", "end": "16:30"},
        "about": "Mornings are best.",
    }


def test_my_profile_without_a_person_is_404(outsider, api, token_for):
    response = api("get", "/api/v1/me/profile", token=token_for(outsider))

    assert response.status_code == 404
    assert response.json() == NOT_IN_DIRECTORY


def test_my_profile_patch_without_a_person_is_404(outsider, api, token_for):
    response = api("patch", "/api/v1/me/profile", token=token_for(outsider, scope="write"), json={"about": "x"})

    assert response.status_code == 404
    assert response.json() == NOT_IN_DIRECTORY
