"""Forms of the agent workspace and the request page. They only read input; the services decide."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from insideout.core.text import as_id
from insideout.people.models import Employee
from insideout.servicedesk.models import Desk, Priority, Service, Status
from insideout.servicedesk.selectors import QUEUES, PersonChoice

QUEUE_LABELS = {
    "mine": _("My open work"),
    "team": _("My team's"),
    "unassigned": _("Unassigned"),
    "at_risk": _("At risk"),
    "breached": _("Breached"),
    "waiting": _("Waiting on requester"),
    "blocking_others": _("Blocking others"),
    "silent": _("Silent"),
    "all_open": _("All open"),
}
# The filters a queue keeps in its URL, in this order.
FILTER_NAMES = ("queue", "desk", "service", "priority", "status", "assignee", "q")


def _id_choices(rows: Iterable[Any], label: Any, empty: Any) -> list[tuple[str, Any]]:
    return [("", empty), *((str(row.pk), label(row)) for row in rows)]


class QueueFilterForm(forms.Form):
    """The queue's tab and filters; a value that is not on offer is dropped, never an error page."""

    queue = forms.ChoiceField(choices=[(name, QUEUE_LABELS[name]) for name in QUEUES], required=False)
    desk = forms.TypedChoiceField(label=_("Desk"), coerce=int, required=False, empty_value=None)
    service = forms.TypedChoiceField(label=_("Service"), coerce=int, required=False, empty_value=None)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("Any priority")), *Priority.choices], required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any open status")), *Status.choices], required=False)
    assignee = forms.TypedChoiceField(label=_("Assignee"), coerce=int, required=False, empty_value=None)
    q = forms.CharField(label=_("Key or words of the subject"), max_length=100, required=False, strip=True)

    def __init__(
        self, data: QueryDict, *, desks: Sequence[Desk], services: Sequence[Service], agents: Sequence[PersonChoice]
    ) -> None:
        super().__init__(data)
        self.fields["desk"].choices = _id_choices(desks, lambda desk: desk.unit.name, _("All my desks"))  # type: ignore[attr-defined]
        self.fields["service"].choices = _id_choices(services, lambda service: service.name, _("Any service"))  # type: ignore[attr-defined]
        self.fields["assignee"].choices = _id_choices(agents, lambda agent: agent.name, _("Anyone"))  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        """The valid filters (an invalid one counts as not given)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        values: dict[str, Any] = {name: cleaned.get(name) for name in FILTER_NAMES if name not in self.errors}
        values["queue"] = values.get("queue") or "all_open"
        values["q"] = values.get("q") or ""
        return values


def filters_query(values: dict[str, Any], **changes: Any) -> str:
    """The filters as a query string (without ``?``), with some changed; empty and default values are left out."""
    query = QueryDict(mutable=True)
    for name in FILTER_NAMES:
        value = changes.get(name, values.get(name))
        if value not in (None, "") and not (name == "queue" and value == "all_open"):
            query[name] = str(value)
    return query.urlencode()


class BulkAssignForm(forms.Form):
    requests = forms.TypedMultipleChoiceField(coerce=int, required=False)
    assignee = forms.CharField(required=False)
    back = forms.CharField(required=False, max_length=1000)

    def __init__(self, data: QueryDict) -> None:
        super().__init__(data)
        # Any id may be sent; the service checks each one against what the caller may see.
        ids = [value for value in data.getlist("requests") if as_id(value) is not None]
        self.fields["requests"].choices = [(value, value) for value in ids]  # type: ignore[attr-defined]


def assignee_value(raw: str, *, me: Employee | None) -> tuple[bool, int | None]:
    """``"me"``, ``"none"`` or an id → (understood, the assignee id or None for nobody)."""
    raw = (raw or "").strip()
    if raw == "me":
        return me is not None, me.pk if me is not None else None
    if raw == "none":
        return True, None
    if (assignee := as_id(raw)) is not None:
        return True, assignee
    return False, None


class ReplyForm(forms.Form):
    """A reply or an internal note; its files are read from ``attachments`` and checked by the service."""

    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}), strip=True)
    # Offered to agents only; sent by anyone else, the service refuses it.
    internal = forms.BooleanField(label=_("Internal note: only the desk's agents see it"), required=False)


class AssignForm(forms.Form):
    assignee = forms.CharField(label=_("Assignee"), required=False)


class WatchForm(forms.Form):
    watch = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")
