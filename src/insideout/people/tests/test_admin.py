import pytest
from django.test import Client

from insideout.core.models import Event
from insideout.people import selectors
from insideout.people.models import Employee, Unit, User


@pytest.fixture
def admin_client(org):
    superuser = User.objects.create_superuser("root", "root@example.org", "correct-horse-battery")
    client = Client()
    client.force_login(superuser)
    return client


def _employee_form(employee, **overrides):
    data = {
        "title": employee.title,
        "unit": employee.unit_id or "",
        "manager": employee.manager_id or "",
        "location": employee.location,
        "country": employee.country,
        "subdivision": employee.subdivision,
        "time_zone": employee.time_zone,
        "language": employee.language,
        "start_date": "",
        "is_active": "on" if employee.is_active else "",
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "1",
        "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
        "profile-0-employee": str(employee.pk),
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_an_admin_edit_goes_through_the_services(org, admin_client):
    person = org["employee"]
    url = f"/admin/people/employee/{person.pk}/change/"
    response = admin_client.post(url, _employee_form(person, title="Key account manager", unit=org["it"].pk))
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.title, person.unit_id) == ("Key account manager", org["it"].pk)
    types = list(
        Event.objects.filter(subject_type="people.employee", subject_id=str(person.pk)).values_list("type", flat=True)
    )
    assert "people.employee_moved_unit" in types
    assert "people.employee_updated" in types
    assert list(selectors.employee_list_for(actor=org["manager"].user, q="key account")) == [person]


@pytest.mark.django_db
def test_an_admin_cannot_make_a_reporting_loop(org, admin_client):
    lead = org["lead"]
    url = f"/admin/people/employee/{lead.pk}/change/"
    response = admin_client.post(url, _employee_form(lead, manager=org["agent"].pk))
    assert response.status_code == 200
    assert "This manager would make a reporting loop." in response.content.decode()
    lead.refresh_from_db()
    assert lead.manager_id is None


@pytest.mark.django_db
def test_unticking_active_deactivates_through_the_service(org, admin_client):
    person = org["employee"]
    admin_client.post(f"/admin/people/employee/{person.pk}/change/", _employee_form(person, is_active=""))
    person = Employee.objects.select_related("user").get(pk=person.pk)
    assert (person.is_active, person.user.is_active) == (False, False)
    assert person.deactivated_at is not None


@pytest.mark.django_db
def test_people_are_not_added_in_the_admin(admin_client):
    assert admin_client.get("/admin/people/employee/add/").status_code == 403


@pytest.mark.django_db
def test_a_unit_cannot_be_moved_below_itself_in_the_admin(org, admin_client):
    it = org["it"]
    data = {
        "code": it.code,
        "name": it.name,
        "kind": it.kind,
        "parent": org["helpdesk"].pk,
        "lead": it.lead_id or "",
        "provides_services": "on",
        "description": "",
    }
    response = admin_client.post(f"/admin/people/unit/{it.pk}/change/", data)
    assert response.status_code == 200
    assert "A unit cannot move below itself or one of its sub-units." in response.content.decode()
    assert Unit.objects.get(pk=it.pk).parent_id == org["company"].pk


@pytest.mark.django_db
def test_a_unit_renamed_in_the_admin_is_found_by_its_new_name(org, admin_client):
    sales = org["sales"]
    data = {
        "code": sales.code,
        "name": "Revenue",
        "kind": sales.kind,
        "parent": org["company"].pk,
        "lead": "",
        "provides_services": "",
        "description": "",
    }
    assert admin_client.post(f"/admin/people/unit/{sales.pk}/change/", data).status_code == 302
    found = set(selectors.employee_list_for(actor=org["manager"].user, q="revenue"))
    assert found == {org["manager"], org["employee"]}


@pytest.mark.django_db
def test_a_persons_account_cannot_be_renamed_or_deactivated_around_the_services(org, admin_client):
    user = org["employee"].user
    page = admin_client.get(f"/admin/people/user/{user.pk}/change/")
    assert page.status_code == 200
    form_fields = page.context["adminform"].form.fields
    assert {"first_name", "last_name", "email", "is_active"}.isdisjoint(form_fields)
    assert "username" in form_fields


@pytest.mark.django_db
def test_the_admin_lists_link_to_the_import(admin_client):
    people = admin_client.get("/admin/people/employee/").content.decode()
    units = admin_client.get("/admin/people/unit/").content.decode()
    assert 'href="/people/import/?kind=people"' in people
    assert 'href="/people/import/?kind=units"' in units
    page = admin_client.get("/people/import/?kind=units")
    assert page.context["form"].initial == {"kind": "units"}
