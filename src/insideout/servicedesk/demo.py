"""Demo service desks over the demo organisation (``insideout demo``), written in bulk.

After ``people.demo`` has built the directory, every service-providing department gets a desk with
a home office (its calendar's zone, country and public holidays, some with a lunch break, a few
company days off and, for some, one closure), a catalog of services and request types whose forms
use every kind of field, standards per priority (P1 around the clock for IT, Facilities and
Security) and assignment rules (manual, round robin, least open work).

Then two years of requests. Each request's life is planned on the business calendar its standard
counts on: filed mostly within opening hours, answered and resolved mostly within target (some
late), paused while waiting on the requester and resumed by their reply, now and then held up by an
obstacle (an outside party, the requester's manager, or another desk's request; it pauses the
resolution clock where the standard says so, ADR 0011), sometimes reopened, then closed by the
requester or automatically. A request from a unit with an internal service agreement runs under it,
and its clocks under the agreed standards (``cooperation.demo.AgreementBook``, ADR 0012). Only what
happened before ``now`` is written, so the recent requests are still open: new, unassigned, in
progress, waiting, at risk or breached. The documented sign-ins get stories of their own
(:data:`NAMED_STORIES`).

Every change is written as the services write it: the same event types and payloads, with
historical ``occurred_at`` (``events_record_bulk(dispatch=False)``: history only, nobody is
notified), and each request's clocks and queue fields come from the same replay
(``clockstore.replay`` and ``clockstore.flags_for``) over exactly the history written. Warnings the
per-minute sweep would have given (at risk, breached) are recorded at the instant they fell due,
so the first sweep after the load has nothing old to announce. Requests, comments, watchers, clocks
and obstacles go in with one ``executemany`` per table and chunk (``people.demo.Rows``). The plan is drawn from one
``random.Random``; the same seed, organisation and ``now`` give the same desks and requests.
"""

from __future__ import annotations

import heapq
import random
import time as clock
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache, partial
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from insideout.calendars import BusinessCalendar
from insideout.core.events import events_record_bulk
from insideout.core.models import Event
from insideout.core.text import markdown_to_html
from insideout.people import demo as people_demo
from insideout.people.models import Employee, Unit, UnitKind
from insideout.servicedesk import clockstore, selectors, services
from insideout.servicedesk.clocks import HistoryEntry
from insideout.servicedesk.cooperation import demo as cooperation_demo
from insideout.servicedesk.cooperation.models import AgreementTarget, Obstacle, ObstacleState, WaitingOn
from insideout.servicedesk.fields import FieldSpec, clean_field_values
from insideout.servicedesk.models import (
    OPEN_STATUSES,
    CalendarVersion,
    Comment,
    Desk,
    Metric,
    Request,
    RequestClock,
    RequestField,
    RequestType,
    Service,
    ServiceStandard,
    Status,
    Watcher,
)

# A field of a request type's form, as ``services.fields_validate`` takes it, plus how the demo fills it:
# ``samples`` for text, ``numbers`` (low, high) for numbers, ``days`` (low, high) after filing for dates.
FieldDef = dict[str, Any]


def _f(key: str, label: str, type_: str = "text", *, required: bool = False, **extra: Any) -> FieldDef:
    return {"key": key, "label": label, "type": type_, "required": required, **extra}


@dataclass(frozen=True)
class TypeDef:
    name: str
    description: str
    subjects: tuple[str, ...]
    fields: tuple[FieldDef, ...] = ()
    default_priority: str = "P3"
    assignment: str = "manual"
    weight: float = 1.0


@dataclass(frozen=True)
class ServiceDef:
    name: str
    description: str
    team: str  # the abbreviation of the team that does the work (people.demo's TeamKind.abbr)
    types: tuple[TypeDef, ...]


@dataclass(frozen=True)
class DeskDef:
    code: str  # the department's unit code in people.demo
    prefix: str
    city: str  # the desk's home office, one of people.demo.LOCATIONS
    week: dict[str, list[list[str]]]
    # Targets per priority in minutes: (first response, resolution, counted on the business calendar).
    targets: dict[str, tuple[int, int, bool]]
    share: float  # of all demo requests
    services: tuple[ServiceDef, ...]
    company_days: tuple[tuple[int, int], ...] = ()  # (month, day): extra closed days every year
    closure: tuple[int, str, str, str] | None = None  # (days ago, local start, local end, reason)
    at_risk_percent: int = 25
    auto_close_days: int = 5
    asks: tuple[str, ...] = field(default=())  # questions the desk asks its requesters
    # Standards tightened once: (request type, priority, days ago, first response, resolution minutes).
    revisions: tuple[tuple[str, str, int, int, int], ...] = ()
    # What blocks work now and then (ADR 0011): what is blocking, and the outside party it waits on.
    blockers: tuple[tuple[str, str], ...] = ()
    obstacles_pause: bool = False  # the standards let an open obstacle pause the resolution clock


def _days(names: tuple[str, ...], *intervals: tuple[str, str]) -> dict[str, list[list[str]]]:
    return {day: [list(interval) for interval in intervals] for day in names}


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")

IT_DESK = DeskDef(
    code="IT",
    prefix="IT",
    city="Berlin",
    week=_days(WEEKDAYS, ("08:00", "12:30"), ("13:30", "18:00")),
    targets={
        "P1": (15, 4 * 60, False),
        "P2": (60, 8 * 60, True),
        "P3": (4 * 60, 24 * 60, True),
        "P4": (8 * 60, 40 * 60, True),
    },
    share=0.34,
    company_days=((12, 24), (12, 31)),
    closure=(75, "14:00", "18:00", "Network maintenance"),
    revisions=(("Password or MFA reset", "P2", 120, 30, 4 * 60), ("Software problem", "P3", 60, 3 * 60, 16 * 60)),
    asks=(
        "Could you send a screenshot of the error and tell me roughly when it started?",
        "Which device is it (the asset tag is on the sticker underneath)?",
        "Could you restart once and tell me whether it still happens?",
        "Is anyone else in your team affected, or only you?",
    ),
    blockers=(
        ("The replacement part is on back order at the manufacturer.", "The laptop manufacturer"),
        ("The software vendor's support is analysing the crash on their side.", "The software vendor's support"),
        ("Our internet provider is repairing a fault on the line.", "The internet provider"),
    ),
    services=(
        ServiceDef(
            "Laptops and devices",
            "New laptops, repairs, loan devices, phones and accessories.",
            "WT",
            (
                TypeDef(
                    "New laptop",
                    "A laptop for a new colleague, or a replacement for one that is more than four years old.",
                    ("Laptop for a new colleague", "Replacement for my old laptop", "Laptop for our intern"),
                    (
                        _f(
                            "model",
                            "Model",
                            "choice",
                            required=True,
                            choices=["14-inch standard", "16-inch performance", "13-inch light"],
                        ),
                        _f("for_person", "For whom", "person", help_text="Leave empty if it is for you."),
                        _f("needed_on", "Needed on", "date", required=True, days=(5, 30)),
                        _f(
                            "accessories",
                            "Accessories",
                            "multi_choice",
                            choices=["Docking station", "Second monitor", "Headset", "Keyboard and mouse"],
                        ),
                    ),
                    weight=2.0,
                ),
                TypeDef(
                    "Laptop repair",
                    "Broken screen, keyboard, battery or anything else on your laptop.",
                    ("Laptop does not start", "Cracked screen", "Battery drains in an hour", "Keyboard keys stuck"),
                    (
                        _f(
                            "asset_tag",
                            "Asset tag",
                            required=True,
                            samples=["AU-LT-1042", "AU-LT-2210", "AU-LT-0877", "AU-LT-3315"],
                        ),
                        _f(
                            "problem",
                            "What is wrong?",
                            "long_text",
                            required=True,
                            samples=["It shuts down without warning.", "The screen flickers when I open the lid."],
                        ),
                        _f("can_work", "Can you work meanwhile?", "choice", required=True, choices=["Yes", "No"]),
                    ),
                    assignment="round_robin",
                    weight=2.0,
                ),
                TypeDef(
                    "Phone or tablet",
                    "A company phone or tablet, or a new SIM card.",
                    ("Company phone for on-call duty", "New SIM card", "Tablet for the warehouse"),
                    (
                        _f("device", "Device", "choice", required=True, choices=["Phone", "Tablet", "SIM card only"]),
                        _f("reason", "Why do you need it?", "long_text", samples=["I am on call from next month."]),
                    ),
                    default_priority="P4",
                ),
            ),
        ),
        ServiceDef(
            "Accounts and access",
            "Access to applications, password and MFA resets, and accounts for new starters.",
            "IA",
            (
                TypeDef(
                    "Access to an application",
                    "Ask for access; the approver you name gets asked before we grant it.",
                    (
                        "Access to the CRM",
                        "Edit rights in the wiki",
                        "Access to finance reporting",
                        "Access to the ERP",
                    ),
                    (
                        _f(
                            "application",
                            "Application",
                            "choice",
                            required=True,
                            choices=["ERP", "CRM", "HR system", "Finance reporting", "Source code hosting", "Wiki"],
                        ),
                        _f("access_level", "Access level", "choice", required=True, choices=["Read", "Edit", "Admin"]),
                        _f("approver", "Approver", "person", required=True),
                        _f("reason", "Reason", "long_text", samples=["I am taking over the account from a colleague."]),
                    ),
                    assignment="least_loaded",
                    weight=3.0,
                ),
                TypeDef(
                    "Password or MFA reset",
                    "Locked out, forgot a password or lost the phone with your authenticator.",
                    ("Locked out of my account", "New phone, need MFA again", "Password expired while travelling"),
                    (
                        _f(
                            "account",
                            "Account",
                            "choice",
                            required=True,
                            choices=["Windows sign-in", "E-mail", "VPN", "Single sign-on"],
                        ),
                    ),
                    default_priority="P2",
                    assignment="round_robin",
                    weight=3.0,
                ),
                TypeDef(
                    "New starter accounts",
                    "Accounts, e-mail and groups for someone who joins soon.",
                    ("Accounts for a new colleague", "New starter next month"),
                    (
                        _f(
                            "new_colleague",
                            "Name of the new colleague",
                            required=True,
                            samples=["Maria Keller", "Tom Baker", "Ana Silva"],
                        ),
                        _f("start_date", "First day", "date", required=True, days=(7, 30)),
                        _f("groups", "Mailing lists and groups", "long_text"),
                    ),
                ),
            ),
        ),
        ServiceDef(
            "Software",
            "Install, licence or fix business software.",
            "SD",
            (
                TypeDef(
                    "Install software",
                    "Software from the approved list, with a licence if it needs one.",
                    ("Install a PDF editor", "Licence for the diagram tool", "Statistics software for analysis"),
                    (
                        _f(
                            "software",
                            "Software",
                            required=True,
                            samples=["PDF editor", "Diagram tool", "Statistics package", "Screen recorder"],
                        ),
                        _f("licences", "Licences", "number", numbers=(1, 5)),
                        _f("reason", "What do you need it for?", "long_text"),
                    ),
                    assignment="round_robin",
                    default_priority="P4",
                    weight=2.0,
                ),
                TypeDef(
                    "Software problem",
                    "An application crashes, is slow or shows an error.",
                    (
                        "Spreadsheet crashes on save",
                        "E-mail client does not sync",
                        "Video calls freeze",
                        "Printer driver error",
                    ),
                    (
                        _f(
                            "application",
                            "Application",
                            required=True,
                            samples=["Spreadsheet", "E-mail", "Video calls", "Printer"],
                        ),
                        _f("error", "Error message", "long_text"),
                        _f("users_affected", "People affected", "number", numbers=(1, 12)),
                    ),
                    weight=3.0,
                ),
            ),
        ),
        ServiceDef(
            "Network and connectivity",
            "Wi-Fi, VPN and outages of shared systems.",
            "NI",
            (
                TypeDef(
                    "VPN or Wi-Fi problem",
                    "No connection, or a slow one, in the office, at home or on the road.",
                    (
                        "VPN drops every few minutes",
                        "No Wi-Fi on the third floor",
                        "Cannot reach file shares from home",
                    ),
                    (
                        _f(
                            "location",
                            "Where are you?",
                            "choice",
                            required=True,
                            choices=["Office", "Home", "Travelling"],
                        ),
                        _f("details", "What happens?", "long_text"),
                    ),
                    default_priority="P2",
                    weight=1.5,
                ),
                TypeDef(
                    "Outage",
                    "A shared system is down for many people.",
                    ("E-mail is down", "ERP not reachable", "Shared drive offline"),
                    (
                        _f(
                            "system",
                            "Which system?",
                            required=True,
                            samples=["E-mail", "ERP", "Shared drive", "Intranet"],
                        ),
                        _f("users_affected", "People affected", "number", numbers=(10, 300)),
                    ),
                    default_priority="P1",
                    weight=0.4,
                ),
            ),
        ),
    ),
)

HR_DESK = DeskDef(
    code="HR",
    prefix="HR",
    city="London",
    week=_days(WEEKDAYS, ("09:00", "17:30")),
    targets={
        "P1": (60, 8 * 60, True),
        "P2": (4 * 60, 16 * 60, True),
        "P3": (8 * 60, 40 * 60, True),
        "P4": (16 * 60, 80 * 60, True),
    },
    share=0.16,
    company_days=((12, 24),),
    asks=(
        "Could you confirm the dates you have in mind?",
        "Which language and address should the letter have?",
        "Has your manager agreed already? If so, add them as a watcher.",
    ),
    blockers=(
        ("The payroll bureau has to confirm the figures first.", "The payroll bureau"),
        ("The pension provider is checking the contract.", "The pension provider"),
    ),
    services=(
        ServiceDef(
            "Letters and certificates",
            "Employment certificates, salary statements and references.",
            "PO",
            (
                TypeDef(
                    "Employment certificate",
                    "A signed letter confirming your employment, for a bank, a landlord or a visa.",
                    ("Certificate for my mortgage", "Employment letter for a visa", "Confirmation for a new flat"),
                    (
                        _f(
                            "purpose",
                            "Purpose",
                            "choice",
                            required=True,
                            choices=["Bank or mortgage", "Visa or immigration", "Rental", "Other"],
                        ),
                        _f(
                            "language",
                            "Language",
                            "choice",
                            required=True,
                            choices=["English", "German", "French", "Spanish"],
                        ),
                        _f("copies", "Signed copies", "number", numbers=(1, 3)),
                        _f("needed_by", "Needed by", "date", days=(3, 20)),
                    ),
                    assignment="round_robin",
                    weight=2.0,
                ),
                TypeDef(
                    "Salary statement",
                    "A statement of your pay for a period.",
                    ("Salary statement for last year", "Pay slips for the last three months"),
                    (
                        _f(
                            "period",
                            "Which period?",
                            required=True,
                            samples=["Last year", "Last three months", "January to June"],
                        ),
                    ),
                    assignment="round_robin",
                    default_priority="P4",
                ),
            ),
        ),
        ServiceDef(
            "Leave and absence",
            "Questions about holidays, sick leave, parental leave and sabbaticals.",
            "PO",
            (
                TypeDef(
                    "Question about leave",
                    "Ask us anything about leave; we answer within a working day.",
                    (
                        "How many holiday days do I have left?",
                        "Carry over holidays to next year",
                        "Sick during my holiday",
                    ),
                    (
                        _f(
                            "leave_type",
                            "Kind of leave",
                            "choice",
                            required=True,
                            choices=["Holiday", "Parental leave", "Sick leave", "Sabbatical", "Unpaid leave"],
                        ),
                        _f(
                            "question",
                            "Your question",
                            "long_text",
                            required=True,
                            samples=["Can I carry over five days?", "How do I report this?"],
                        ),
                    ),
                    assignment="least_loaded",
                    weight=2.5,
                ),
                TypeDef(
                    "Parental leave plan",
                    "Plan your parental leave with us early.",
                    ("Parental leave from the spring", "Planning parental leave"),
                    (
                        _f("expected_on", "Expected date", "date", required=True, days=(30, 200)),
                        _f("weeks", "Weeks of leave", "number", numbers=(2, 52)),
                        _f("notes", "Anything we should know", "long_text"),
                    ),
                ),
            ),
        ),
        ServiceDef(
            "Onboarding and changes",
            "New colleagues, contract changes and moves between teams.",
            "BP",
            (
                TypeDef(
                    "Onboard a new colleague",
                    "Everything HR does before someone's first day.",
                    (
                        "New colleague starts on the first",
                        "Onboarding for two new engineers",
                        "Intern joins next month",
                    ),
                    (
                        _f(
                            "new_colleague",
                            "Name of the new colleague",
                            required=True,
                            samples=["Lea Schmidt", "James Wood", "Inès Martin"],
                        ),
                        _f("start_date", "First day", "date", required=True, days=(14, 45)),
                        _f("manager", "Manager", "person", required=True),
                        _f("buddy", "Buddy", "person"),
                        _f(
                            "needs",
                            "What they need",
                            "multi_choice",
                            choices=["Laptop", "Desk", "Access badge", "Welcome session"],
                        ),
                    ),
                    default_priority="P2",
                    weight=1.5,
                ),
                TypeDef(
                    "Change of contract",
                    "Hours, title, location or pay change.",
                    ("Reduce my hours to four days", "New title after promotion", "Move to the Munich office"),
                    (
                        _f(
                            "change",
                            "What changes?",
                            "choice",
                            required=True,
                            choices=["Hours", "Title", "Location", "Salary"],
                        ),
                        _f("effective_on", "From", "date", required=True, days=(14, 60)),
                        _f("details", "Details", "long_text"),
                    ),
                ),
                TypeDef(
                    "Benefits question",
                    "Pension, health insurance, bike leasing and other benefits.",
                    ("Join the bike leasing scheme", "Pension contribution question", "Health insurance for my family"),
                    (
                        _f(
                            "benefit",
                            "Benefit",
                            "choice",
                            required=True,
                            choices=["Pension", "Health insurance", "Bike leasing", "Meal vouchers"],
                        ),
                        _f(
                            "question",
                            "Your question",
                            "long_text",
                            required=True,
                            samples=["How do I sign up?", "What does it cost me?"],
                        ),
                    ),
                    assignment="least_loaded",
                    default_priority="P4",
                ),
            ),
        ),
    ),
)

FINANCE_DESK = DeskDef(
    code="FIN",
    prefix="FIN",
    city="Warsaw",
    week=_days(WEEKDAYS, ("08:00", "16:00")),
    targets={
        "P1": (60, 8 * 60, True),
        "P2": (2 * 60, 16 * 60, True),
        "P3": (8 * 60, 40 * 60, True),
        "P4": (16 * 60, 80 * 60, True),
    },
    share=0.13,
    company_days=((12, 24), (12, 31)),
    closure=(200, "08:00", "16:00", "Year-end closing"),
    asks=(
        "Could you attach the receipt or the invoice as a PDF?",
        "Which cost centre should we book this on?",
        "Could you confirm the amount and the currency?",
    ),
    blockers=(
        ("The bank is investigating the payment.", "The bank"),
        ("The supplier has to send a corrected invoice.", "The supplier"),
    ),
    services=(
        ServiceDef(
            "Expenses",
            "Expense claims, travel costs and corporate cards.",
            "PY",
            (
                TypeDef(
                    "Expense claim question",
                    "Ask about a claim you submitted, or what you may claim.",
                    ("Expense claim still not paid", "Can I claim my train ticket?", "Claim rejected, why?"),
                    (
                        _f("claim_number", "Claim number", samples=["EX-20431", "EX-19877", "EX-21012"]),
                        _f("amount", "Amount", "number", required=True, numbers=(12, 1800)),
                        _f(
                            "currency",
                            "Currency",
                            "choice",
                            required=True,
                            choices=["EUR", "GBP", "USD", "PLN", "Other"],
                        ),
                        _f("question", "Your question", "long_text"),
                    ),
                    assignment="round_robin",
                    weight=3.0,
                ),
                TypeDef(
                    "Corporate card",
                    "A new card, a higher limit, or a lost card.",
                    ("New corporate card", "Higher card limit for a trade fair", "Card lost abroad"),
                    (
                        _f(
                            "request",
                            "What do you need?",
                            "choice",
                            required=True,
                            choices=["New card", "Higher limit", "Lost or stolen", "Cancel"],
                        ),
                        _f("limit", "Monthly limit wanted", "number", numbers=(1000, 10000)),
                    ),
                ),
            ),
        ),
        ServiceDef(
            "Purchase orders",
            "Raise and change purchase orders against a budget.",
            "AP",
            (
                TypeDef(
                    "Raise a purchase order",
                    "A PO for an agreed purchase, booked on your cost centre.",
                    ("PO for the conference booth", "PO for consulting days", "PO for lab supplies"),
                    (
                        _f(
                            "supplier",
                            "Supplier",
                            required=True,
                            samples=["Nordic Office Supplies", "Lumen Events", "Brightpath Consulting"],
                        ),
                        _f("amount", "Amount (EUR)", "number", required=True, numbers=(200, 50000)),
                        _f("cost_centre", "Cost centre", required=True, samples=["CC-4100", "CC-2300", "CC-7750"]),
                        _f("needed_by", "Needed by", "date", days=(5, 30)),
                    ),
                    assignment="least_loaded",
                    weight=2.0,
                ),
            ),
        ),
        ServiceDef(
            "Invoices",
            "Supplier invoices that wait for payment, and corrections of our own invoices.",
            "AR",
            (
                TypeDef(
                    "Supplier invoice not paid",
                    "A supplier says we have not paid; we check and tell you when it goes out.",
                    ("Supplier reminder for an open invoice", "Invoice overdue since last month"),
                    (
                        _f(
                            "supplier",
                            "Supplier",
                            required=True,
                            samples=["Lumen Events", "Stadtwerk Services", "Acorn Logistics"],
                        ),
                        _f(
                            "invoice_number",
                            "Invoice number",
                            required=True,
                            samples=["INV-88213", "2026-0412", "A-7781"],
                        ),
                        _f("due_on", "Due date", "date", days=(-30, -1)),
                    ),
                    default_priority="P2",
                    assignment="round_robin",
                    weight=1.5,
                ),
                TypeDef(
                    "Customer invoice correction",
                    "A wrong address, amount or purchase-order number on an invoice we sent.",
                    ("Wrong PO number on customer invoice", "Customer needs a corrected address"),
                    (
                        _f("invoice_number", "Invoice number", required=True, samples=["AU-45102", "AU-45977"]),
                        _f(
                            "correction",
                            "What must change?",
                            "long_text",
                            required=True,
                            samples=["The PO number must be 4500123."],
                        ),
                    ),
                ),
            ),
        ),
    ),
)

FACILITIES_DESK = DeskDef(
    code="FAC",
    prefix="FAC",
    city="Hamburg",
    week=_days(WEEKDAYS, ("07:00", "12:00"), ("12:30", "16:00")),
    targets={
        "P1": (30, 4 * 60, False),
        "P2": (2 * 60, 8 * 60, True),
        "P3": (4 * 60, 24 * 60, True),
        "P4": (8 * 60, 40 * 60, True),
    },
    share=0.14,
    company_days=((12, 24), (12, 31)),
    closure=(30, "07:00", "12:00", "Fire drill and building inspection"),
    auto_close_days=3,
    asks=(
        "Which room or floor exactly? A photo helps.",
        "When would it suit you that the technician comes by?",
    ),
    blockers=(
        ("The spare part is ordered; the supplier delivers it next week.", "The spare parts supplier"),
        ("The landlord has to approve the work on the building.", "The landlord"),
        ("Our electrical contractor has to come and check first.", "The electrical contractor"),
    ),
    obstacles_pause=True,
    services=(
        ServiceDef(
            "Repairs",
            "Anything broken in the building: light, heating, doors, furniture.",
            "MT",
            (
                TypeDef(
                    "Something is broken",
                    "Tell us what and where; urgent safety issues are P1.",
                    (
                        "Light flickering in the kitchen",
                        "Heating not working in room 3.12",
                        "Door lock jammed",
                        "Tap leaking",
                    ),
                    (
                        _f(
                            "where",
                            "Where?",
                            required=True,
                            samples=["Room 3.12", "Kitchen, 2nd floor", "Main entrance", "Meeting room Elbe"],
                        ),
                        _f(
                            "what",
                            "What is broken?",
                            "choice",
                            required=True,
                            choices=[
                                "Lighting",
                                "Heating or air conditioning",
                                "Door or lock",
                                "Plumbing",
                                "Furniture",
                                "Other",
                            ],
                        ),
                        _f("details", "Details", "long_text"),
                    ),
                    assignment="round_robin",
                    weight=3.0,
                ),
            ),
        ),
        ServiceDef(
            "Desks and moves",
            "A desk for a newcomer, a team move, ergonomic equipment.",
            "WS",
            (
                TypeDef(
                    "Desk or move",
                    "Desks for new people or a move of a whole team.",
                    ("Desk for a new colleague", "Team move to the 4th floor", "Standing desk"),
                    (
                        _f("people", "How many people?", "number", required=True, numbers=(1, 12)),
                        _f("move_on", "When?", "date", days=(7, 40)),
                        _f("notes", "Anything else", "long_text"),
                    ),
                    weight=1.5,
                ),
            ),
        ),
        ServiceDef(
            "Meeting rooms and events",
            "Room set-ups, catering and equipment for meetings and events.",
            "WS",
            (
                TypeDef(
                    "Room set-up",
                    "Chairs, catering and technology for a meeting or an event on site.",
                    ("Town hall set-up", "Workshop with catering", "Customer visit in the board room"),
                    (
                        _f("room", "Room", required=True, samples=["Board room", "Atrium", "Meeting room Alster"]),
                        _f("on", "Date", "date", required=True, days=(2, 21)),
                        _f("attendees", "Attendees", "number", numbers=(4, 120)),
                        _f(
                            "setup",
                            "What you need",
                            "multi_choice",
                            choices=["Projector", "Catering", "Video call kit", "Extra chairs"],
                        ),
                    ),
                    assignment="least_loaded",
                    weight=1.5,
                ),
            ),
        ),
        ServiceDef(
            "Reception and mail",
            "Visitor badges, parcels and post.",
            "RM",
            (
                TypeDef(
                    "Visitor badge",
                    "Register a visitor so reception has a badge ready.",
                    ("Visitor tomorrow morning", "Three guests for a workshop", "Auditor visit next week"),
                    (
                        _f(
                            "visitor",
                            "Visitor's name",
                            required=True,
                            samples=["Dr. Jana Novak", "Peter Hughes", "Yuki Tanaka"],
                        ),
                        _f("on", "Date", "date", required=True, days=(1, 10)),
                        _f("host", "Host", "person", required=True),
                    ),
                    assignment="round_robin",
                    default_priority="P4",
                ),
            ),
        ),
    ),
)

LEGAL_DESK = DeskDef(
    code="LEG",
    prefix="LEG",
    city="Paris",
    week=_days(WEEKDAYS, ("09:00", "12:30"), ("14:00", "18:00")),
    targets={
        "P1": (2 * 60, 16 * 60, True),
        "P2": (4 * 60, 24 * 60, True),
        "P3": (8 * 60, 80 * 60, True),
        "P4": (16 * 60, 160 * 60, True),
    },
    share=0.06,
    at_risk_percent=20,
    auto_close_days=7,
    asks=(
        "Could you attach the latest draft as a Word file?",
        "Who signs on the other side, and by when?",
    ),
    blockers=(
        ("The other party's lawyers are reviewing our changes.", "The other party's lawyers"),
        ("The notary needs the signed originals.", "The notary"),
    ),
    services=(
        ServiceDef(
            "Contracts",
            "Review of customer, supplier and partner contracts, and NDAs.",
            "CC",
            (
                TypeDef(
                    "Contract review",
                    "We review the draft and mark what must change before you sign.",
                    (
                        "Review of a supplier framework agreement",
                        "Customer contract with liability changes",
                        "Partnership agreement draft",
                    ),
                    (
                        _f(
                            "counterparty",
                            "Counterparty",
                            required=True,
                            samples=["Helix Retail", "Orion Components", "Vega Partners"],
                        ),
                        _f(
                            "contract_type",
                            "Kind of contract",
                            "choice",
                            required=True,
                            choices=["Customer", "Supplier", "Partnership", "Employment", "Other"],
                        ),
                        _f("value", "Value (EUR)", "number", numbers=(5000, 900000)),
                        _f("deadline", "Signature deadline", "date", days=(5, 30)),
                        _f("notes", "What should we look at?", "long_text"),
                    ),
                    weight=2.0,
                ),
                TypeDef(
                    "NDA",
                    "A non-disclosure agreement from our template.",
                    ("NDA with a potential supplier", "Mutual NDA for a pilot project"),
                    (
                        _f("counterparty", "Counterparty", required=True, samples=["Nimbus Labs", "Kestrel Tools"]),
                        _f(
                            "direction",
                            "Who discloses?",
                            "choice",
                            required=True,
                            choices=["Mutual", "We disclose", "They disclose"],
                        ),
                        _f("purpose", "Purpose", samples=["Evaluation of a new sensor", "Joint tender"]),
                    ),
                    assignment="round_robin",
                    weight=2.0,
                ),
            ),
        ),
        ServiceDef(
            "Data protection",
            "Privacy questions, new tools that process personal data, and data breaches.",
            "DP",
            (
                TypeDef(
                    "Privacy question",
                    "Ask before you process personal data in a new way.",
                    (
                        "Can we use this survey tool?",
                        "Sharing customer data with a partner",
                        "Retention of applicant data",
                    ),
                    (
                        _f(
                            "topic",
                            "Topic",
                            "choice",
                            required=True,
                            choices=["Customer data", "Employee data", "New tool", "Data breach"],
                        ),
                        _f(
                            "question",
                            "Your question",
                            "long_text",
                            required=True,
                            samples=["Is a data processing agreement needed?"],
                        ),
                    ),
                    assignment="least_loaded",
                ),
            ),
        ),
    ),
)

MARKETING_DESK = DeskDef(
    code="MKT",
    prefix="MKT",
    city="New York",
    week=_days(WEEKDAYS, ("09:00", "17:30")),
    targets={
        "P1": (2 * 60, 8 * 60, True),
        "P2": (4 * 60, 24 * 60, True),
        "P3": (8 * 60, 40 * 60, True),
        "P4": (16 * 60, 80 * 60, True),
    },
    share=0.07,
    asks=(
        "Could you share the brief or an example you like?",
        "Which sizes and formats do you need?",
    ),
    blockers=(
        ("The print shop is waiting for the paper delivery.", "The print shop"),
        ("The translation agency delivers on Friday.", "The translation agency"),
    ),
    services=(
        ServiceDef(
            "Design",
            "Presentations, posters, social media images and brand questions.",
            "BC",
            (
                TypeDef(
                    "Design request",
                    "Tell us what, for whom and by when; we send a first draft.",
                    ("Slides for the customer day", "Poster for the canteen", "Social media images for the launch"),
                    (
                        _f(
                            "deliverable",
                            "What do you need?",
                            "choice",
                            required=True,
                            choices=["Presentation", "Poster", "Social media", "Brochure", "Logo use"],
                        ),
                        _f("formats", "Formats", "multi_choice", choices=["PDF", "PNG", "PowerPoint", "Print-ready"]),
                        _f("due", "Due", "date", required=True, days=(5, 25)),
                        _f(
                            "brief",
                            "Brief",
                            "long_text",
                            required=True,
                            samples=["Audience: plant managers. Tone: practical."],
                        ),
                    ),
                    weight=2.0,
                ),
            ),
        ),
        ServiceDef(
            "Campaigns",
            "Help with campaigns, newsletters and events promotion.",
            "DM",
            (
                TypeDef(
                    "Campaign support",
                    "Plan a campaign with us: audience, channels and budget.",
                    ("Newsletter for the product launch", "Campaign for the trade fair", "Webinar promotion"),
                    (
                        _f(
                            "audience",
                            "Audience",
                            required=True,
                            samples=["Facility managers", "Existing customers", "Partners"],
                        ),
                        _f(
                            "channels",
                            "Channels",
                            "multi_choice",
                            required=True,
                            choices=["E-mail", "Social", "Web", "Events"],
                        ),
                        _f("launch", "Launch", "date", days=(14, 60)),
                        _f("budget", "Budget (USD)", "number", numbers=(500, 40000)),
                    ),
                    assignment="least_loaded",
                ),
            ),
        ),
        ServiceDef(
            "Translations",
            "Translations of documents, slides and web pages by our language team.",
            "CT",
            (
                TypeDef(
                    "Translation",
                    "Send the text; we return it translated and proof-read.",
                    ("Translate the product sheet", "Website page in Spanish", "Slides for the Tokyo office"),
                    (
                        _f(
                            "from_language",
                            "From",
                            "choice",
                            required=True,
                            choices=["English", "German", "French", "Spanish"],
                        ),
                        _f(
                            "to_languages",
                            "Into",
                            "multi_choice",
                            required=True,
                            choices=[
                                "English",
                                "German",
                                "French",
                                "Spanish",
                                "Italian",
                                "Polish",
                                "Japanese",
                                "Portuguese",
                            ],
                        ),
                        _f("words", "Words", "number", required=True, numbers=(150, 6000)),
                        _f("due", "Due", "date", days=(3, 20)),
                    ),
                    assignment="round_robin",
                    weight=1.5,
                ),
            ),
        ),
    ),
)

PROCUREMENT_DESK = DeskDef(
    code="PRC",
    prefix="PRC",
    city="Madrid",
    week={
        **_days(("mon", "tue", "wed", "thu"), ("09:00", "14:00"), ("15:00", "18:00")),
        "fri": [["08:00", "15:00"]],
    },
    targets={
        "P1": (2 * 60, 8 * 60, True),
        "P2": (4 * 60, 24 * 60, True),
        "P3": (8 * 60, 40 * 60, True),
        "P4": (16 * 60, 80 * 60, True),
    },
    share=0.05,
    asks=("Could you add a second quote so we can compare?", "Which budget does this come from?"),
    blockers=(
        ("The supplier is preparing a new quote.", "The supplier"),
        ("The credit check of the new supplier is not back yet.", "The credit agency"),
    ),
    obstacles_pause=True,
    services=(
        ServiceDef(
            "Purchasing",
            "Buy goods and services through our suppliers.",
            "PU",
            (
                TypeDef(
                    "Buy something",
                    "We find the supplier, get the best price and order.",
                    ("Ergonomic chairs for the team", "Test equipment for the lab", "Safety shoes for the plant"),
                    (
                        _f(
                            "item", "What?", required=True, samples=["Ergonomic chairs", "Oscilloscope", "Safety shoes"]
                        ),
                        _f("quantity", "Quantity", "number", required=True, numbers=(1, 40)),
                        _f("estimated_cost", "Estimated cost (EUR)", "number", numbers=(100, 30000)),
                        _f("needed_by", "Needed by", "date", days=(10, 45)),
                    ),
                    assignment="least_loaded",
                    weight=2.0,
                ),
                TypeDef(
                    "New supplier",
                    "Onboard a supplier we have not bought from before.",
                    ("Onboard a local catering company", "New supplier for sensors"),
                    (
                        _f("supplier", "Supplier", required=True, samples=["Sabor Catering", "Trident Sensors"]),
                        _f(
                            "category",
                            "Category",
                            "choice",
                            required=True,
                            choices=["Services", "Components", "IT", "Facilities"],
                        ),
                    ),
                ),
            ),
        ),
    ),
)

SECURITY_DESK = DeskDef(
    code="SEC",
    prefix="SEC",
    city="Bengaluru",
    week=_days(WEEKDAYS, ("09:00", "13:00"), ("14:00", "18:00")),
    targets={
        "P1": (15, 4 * 60, False),
        "P2": (60, 8 * 60, True),
        "P3": (4 * 60, 24 * 60, True),
        "P4": (8 * 60, 40 * 60, True),
    },
    share=0.05,
    asks=("Please forward the suspicious e-mail as an attachment.", "Did you enter a password or open an attachment?"),
    blockers=(
        ("The tool's vendor has not answered our security questionnaire yet.", "The tool's vendor"),
        (
            "The badge system's maintenance company has to reprogram the reader.",
            "The badge system's maintenance company",
        ),
    ),
    services=(
        ServiceDef(
            "Security incidents",
            "Phishing, lost devices and anything that looks like an attack.",
            "SO",
            (
                TypeDef(
                    "Report phishing",
                    "Forward it to us and do not click anything.",
                    ("Suspicious invoice e-mail", "Fake parcel notification", "Someone asked for my password"),
                    (
                        _f("sender", "Sender", samples=["billing@invoices-secure.example", "parcel@track-now.example"]),
                        _f(
                            "clicked",
                            "Did you click?",
                            "choice",
                            required=True,
                            choices=["No", "Yes", "I entered my password"],
                        ),
                    ),
                    default_priority="P2",
                    assignment="round_robin",
                    weight=3.0,
                ),
                TypeDef(
                    "Security incident",
                    "A lost laptop, malware, or data that went where it should not.",
                    ("Laptop stolen from a car", "Malware warning on my PC", "Sent a file to the wrong customer"),
                    (
                        _f("what", "What happened?", "long_text", required=True, samples=["It happened this morning."]),
                        _f("noticed_on", "Noticed on", "date", days=(-2, 0)),
                    ),
                    default_priority="P1",
                    weight=0.5,
                ),
            ),
        ),
        ServiceDef(
            "Security reviews",
            "A review of a new tool or supplier before you use it.",
            "GR",
            (
                TypeDef(
                    "Security review of a tool",
                    "Before a new tool handles our data, we check it.",
                    (
                        "Review of a note-taking app",
                        "Security check of a new CRM plug-in",
                        "Supplier security questionnaire",
                    ),
                    (
                        _f(
                            "tool",
                            "Tool or supplier",
                            required=True,
                            samples=["NoteNest", "CRM Sync Pro", "Falcon Analytics"],
                        ),
                        _f(
                            "data",
                            "Which data?",
                            "multi_choice",
                            required=True,
                            choices=["Customer data", "Employee data", "Financial data", "No personal data"],
                        ),
                        _f("users", "Users", "number", numbers=(3, 400)),
                        _f("go_live", "Go-live", "date", days=(14, 60)),
                    ),
                    assignment="least_loaded",
                ),
            ),
        ),
        ServiceDef(
            "Badges and site access",
            "Building badges and access to restricted areas.",
            "PS",
            (
                TypeDef(
                    "Building access badge",
                    "A badge, or access to a restricted area, for you or a colleague.",
                    ("Badge for a new colleague", "Access to the server room", "Replacement for a lost badge"),
                    (
                        _f(
                            "site",
                            "Site",
                            "choice",
                            required=True,
                            choices=["Berlin", "Munich", "Hamburg", "London", "New York", "Tokyo"],
                        ),
                        _f("for_person", "For whom", "person"),
                        _f("from_date", "From", "date", days=(1, 14)),
                    ),
                    assignment="round_robin",
                    default_priority="P4",
                ),
            ),
        ),
    ),
)

DESKS: tuple[DeskDef, ...] = (
    IT_DESK,
    HR_DESK,
    FINANCE_DESK,
    FACILITIES_DESK,
    LEGAL_DESK,
    MARKETING_DESK,
    PROCUREMENT_DESK,
    SECURITY_DESK,
)

# Words for the conversation on a request. {first} is the requester's first name, {agent} the agent's.
ACKNOWLEDGEMENTS = (
    "Hi {first}, thanks for the request. I have picked it up and will keep you posted here.",
    "Thanks {first}, this is with me now. I will update you as soon as I know more.",
    "Hello {first}, got it. I am looking into it today.",
    "Hi {first}, thanks for the details, that helps. Working on it.",
)
REQUESTER_ANSWERS = (
    "Sure, here you go: it happened again this morning around nine.",
    "Thanks for asking. Yes, that is right, and my manager agreed.",
    "I attached what I have; let me know if anything is missing.",
    "Sorry for the delay, I was travelling. The details are below.",
    "Yes, only me as far as I know.",
)
NUDGES = (
    "Any news on this? It is getting a bit urgent for us.",
    "Just checking whether you need anything else from me.",
)
NOTES = (
    "Checked the history: the same thing happened last quarter, see the earlier request.",
    "Waiting for the supplier to confirm the date.",
    "Asked the team for a second opinion before we answer.",
    "Needs sign-off from the budget owner; reminded them today.",
    "Looks like a known issue; applying the documented workaround first.",
    "Escalated to the specialist on call.",
)
RESOLUTIONS = (
    "Done, {first}. Please check on your side; reply here if anything is still not right.",
    "All sorted now. I am closing this in a few days unless you tell me otherwise.",
    "This is done. Thanks for your patience, {first}.",
    "Completed as requested. Let me know if you need anything else.",
)
QUICK_FIXES = (
    "Hi {first}, this was a quick one: done already. Reply here if it does not work.",
    "Fixed it right away. Let me know if you see it again.",
)
REOPENINGS = (
    "Sorry, it is happening again since yesterday.",
    "Thanks, but one part is still missing. Could you have another look?",
    "Not quite there yet, the second item did not arrive.",
)
# Obstacles (a desk's own outside parties are in its ``blockers``).
BLOCKERS = (("The supplier has not delivered yet.", "The supplier"),)
WAITS_ON_REQUEST = ("This needs {key} done first.", "We are waiting for {key} to be finished.")
WAITS_ON_PERSON = ("{first} has to approve this first.", "Waiting for {first}'s sign-off.")
OBSTACLE_NOTES = ("Cleared; we are back on it.", "They answered, so we can go on.", "Sorted out after a call.", "")
DESCRIPTIONS = (
    "{subject}.\n\nThanks in advance!",
    "Hello,\n\n{subject}. Details are in the form below.\n\nBest regards,\n{first}",
    "{subject}. It would really help if this could be done **this week**.",
    "Hi team,\n\n{subject}. Happy to jump on a call if that is easier.\n\n{first}",
)


# --- The documented sign-ins' stories ------------------------------------------------------


@dataclass(frozen=True)
class NamedStory:
    """A request the README promises: who asked, who works on it, and where it stands now.

    ``running`` places it so that this much business time (a share of the clock's target, of
    ``metric``) has run on the clock at ``now``; otherwise it was filed ``days_ago``. The shape's
    fractions say when the first response and the resolution happen (> 1: late; beyond now: not yet).
    """

    desk: str
    request_type: str
    priority: str
    subject: str
    requester: str | None = None  # a documented user name; None: a colleague from elsewhere
    assignee: str | None = None
    days_ago: int = 0
    running: float | None = None
    metric: str = Metric.RESOLUTION
    fr: float = 0.3
    first: str = "reply"
    res: float = 0.5
    assign_early: bool = False  # assigned right after filing rather than at the first response
    reopen: bool = False
    requester_closes: bool = False
    reply_hours: float = 5.0
    # An obstacle ("outside" or "request": on another desk's request one of this desk's agents filed),
    # flagged this share into the work and still open now.
    obstacle: str = ""
    obstacle_at: float = 0.1


NAMED_STORIES: tuple[NamedStory, ...] = (
    # alex (an employee in sales): requests in every state.
    NamedStory(
        "IT", "New laptop", "P3", "Replacement for my old laptop", "alex", "sam", days_ago=120, requester_closes=True
    ),
    NamedStory("HR", "Employment certificate", "P3", "Certificate for my mortgage", "alex", days_ago=45, reopen=True),
    NamedStory("FAC", "Desk or move", "P4", "Standing desk", "alex", running=0.6, res=0.45),
    NamedStory(
        "IT",
        "Software problem",
        "P3",
        "E-mail client does not sync",
        "alex",
        "sam",
        running=0.4,
        first="ask",
        reply_hours=10_000,
    ),
    NamedStory("FIN", "Expense claim question", "P3", "Expense claim still not paid", "alex", running=1.25, res=2.0),
    NamedStory(
        "MKT",
        "Design request",
        "P3",
        "Slides for the customer day",
        "alex",
        running=0.2,
        metric=Metric.FIRST_RESPONSE,
        fr=0.9,
    ),
    NamedStory(
        "FAC",
        "Something is broken",
        "P3",
        "Heating not working in room 3.12",
        "alex",
        running=0.7,
        fr=0.2,
        res=1.3,
        obstacle="outside",
    ),
    # sam (an IT agent): open work that is on track, at risk and breached.
    NamedStory(
        "IT", "Software problem", "P3", "Spreadsheet crashes on save", assignee="sam", running=0.82, fr=0.2, res=1.5
    ),
    NamedStory(
        "IT", "VPN or Wi-Fi problem", "P2", "VPN drops every few minutes", assignee="sam", running=1.4, fr=0.5, res=2.5
    ),
    NamedStory(
        "IT",
        "New laptop",
        "P3",
        "Laptop for our intern",
        assignee="sam",
        running=0.85,
        metric=Metric.FIRST_RESPONSE,
        fr=1.6,
        assign_early=True,
    ),
    NamedStory(
        "IT",
        "Phone or tablet",
        "P4",
        "New SIM card",
        assignee="sam",
        running=1.3,
        metric=Metric.FIRST_RESPONSE,
        fr=2.0,
        assign_early=True,
    ),
    NamedStory("IT", "Software problem", "P3", "Video calls freeze", assignee="sam", running=0.3, fr=0.25, res=0.9),
    # sam's laptop order at Procurement, which one of his open requests waits on ("blocking others").
    NamedStory("PRC", "Buy something", "P3", "Laptops for the new starters", "sam", running=0.6, fr=0.3, res=1.6),
    NamedStory(
        "IT",
        "New laptop",
        "P3",
        "Laptop for a new colleague",
        assignee="sam",
        running=0.5,
        fr=0.2,
        res=1.5,
        obstacle="request",
    ),
)

# --- Loading ----------------------------------------------------------------------------------

# Requests over the two years per person in the organisation (3,000 for the 400 people of ``make run``),
# at most DEFAULT_REQUESTS unless asked for: a big directory alone stays quick to load.
REQUESTS_PER_EMPLOYEE = 7.5
DEFAULT_REQUESTS = 3000
HISTORY_DAYS = 730
RECENT_DAYS = 21
RECENT_SHARE = 0.1  # of the requests, filed in the last RECENT_DAYS: the open work of today
IN_HOURS_SHARE = 0.85  # filed within the desk's opening hours
CHUNK_SIZE = 2000  # requests planned and written per round trip
OBSTACLED = 0.08  # of the requests worked on: an obstacle holds the work for a while
OBSTACLE_ON_REQUEST = 0.3  # of those: another desk's request that an agent of this desk filed
OBSTACLE_ON_PERSON = 0.15  # the requester's manager, who has to approve
OBSTACLE_LEFT_OPEN = 0.25  # an outside party's: nobody clears it until the request is resolved
_PRIORITY_WEIGHTS = {"P1": 3, "P2": 17, "P3": 55, "P4": 25}
_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_UTC = ZoneInfo("UTC")
SUBJECT_TYPE = clockstore.SUBJECT_TYPE

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DemoResult:
    desks: int
    services: int
    request_types: int
    requests: int
    comments: int
    events: int
    seconds: float


class DemoError(Exception):
    """The service desk demo cannot be loaded into this database; nothing was written."""


@dataclass
class _Type:
    definition: TypeDef
    service: ServiceDef
    request_type: RequestType
    specs: list[FieldSpec]
    standards: dict[str, ServiceStandard]  # the current version per priority
    team: list[int]
    last_assignee: int | None = None
    # Every version per priority, oldest first, and when each revision took effect.
    versions: dict[str, list[ServiceStandard]] = field(default_factory=dict)
    revisions: list[tuple[datetime, str]] = field(default_factory=list)

    def standard_at(self, priority: str, at: datetime) -> ServiceStandard:
        """The version of the standard that was current at ``at``."""
        versions = self.versions[priority]
        return next((version for version in reversed(versions) if version.created_at <= at), versions[0])


@dataclass
class _Desk:
    definition: DeskDef
    desk: Desk
    calendar: BusinessCalendar
    zone: ZoneInfo
    lead: int | None
    agents: list[int]
    teams: dict[str, list[int]]
    team_leads: dict[str, int]
    requesters: list[int]
    types: list[_Type] = field(default_factory=list)
    # Open work per agent, for least-loaded assignment: (resolved at, agent) of assigned requests.
    open_until: list[tuple[datetime, int]] = field(default_factory=list)
    load: dict[int, int] = field(default_factory=dict)
    count: int = 0


@dataclass
class _Shape:
    fr: float
    first: str  # reply | ask | resolve
    res: float
    notes: int = 0
    waits: int = 0
    nudge: bool = False
    reopen: bool = False
    requester_closes: bool = False
    reply_hours: tuple[float, ...] = ()
    watcher: bool = False
    on_behalf: bool = False
    filed_priority: str | None = None  # the priority triage changed from
    assign_early: bool = False
    obstacle: str = ""  # "any" kind drawn later, or "outside" or "request"
    obstacle_at: float | None = None  # share of the work when it is flagged (None: drawn)
    obstacle_hours: float | None = None  # how long it holds the work (None: drawn)


@dataclass
class _Planned:
    desk: _Desk
    kind: _Type
    created: datetime
    priority: str
    requester: int
    shape: _Shape
    assignee: int | None = None
    subject: str = ""
    pk: int = 0
    number: int = 0
    on_behalf: int | None = None
    agreement: cooperation_demo.AgreementHistory | None = None  # the internal service agreement it runs under


@dataclass(slots=True)
class _Act:
    at: datetime
    type: str
    actor: int | None  # an employee
    payload: dict[str, Any]
    comment: tuple[int, str, bool] | None = None  # author, body, internal
    auto_close_at: datetime | None = None
    obstacle: _Obstacle | None = None  # flagged or resolved by this act


@dataclass(slots=True)
class _Obstacle:
    """An obstacle as the story plans it; its key is given when its flagging is written."""

    flagged_by: int
    description: str
    waiting_on: str
    expected_at: datetime
    person: int | None = None
    waited: int | None = None  # a request
    outside: str = ""
    pk: int = 0


@dataclass
class _Person:
    pk: int
    user_id: int
    first_name: str
    unit_path: str
    start_date: date
    manager: int | None


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


def _flagged(obstacle: _Obstacle, waited_key: str) -> dict[str, Any]:
    """``servicedesk.obstacle_flagged``'s payload; its ``obstacle`` is set when the flagging is written."""
    return {
        "obstacle": None,
        "description": obstacle.description,
        "waiting_on": str(obstacle.waiting_on),
        "waiting_on_person": obstacle.person,
        "waiting_on_request": obstacle.waited,
        "waiting_on_key": waited_key,
        "waiting_on_outside": obstacle.outside,
        "expected_at": obstacle.expected_at.isoformat(),
    }


def _cleared(obstacle: _Obstacle, note: str, how: str) -> dict[str, Any]:
    return {"obstacle": None, "note": note, "how": how, "expected_at": obstacle.expected_at.isoformat()}


@cache
def _html(text: str) -> str:
    return markdown_to_html(text)


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _elapsed_back(calendar: BusinessCalendar, now: datetime, business: timedelta) -> datetime:
    """The latest instant from which ``business`` time of ``calendar`` has run until ``now``."""
    low, high = now - timedelta(days=400), now
    for _step in range(45):
        middle = low + (high - low) / 2
        if calendar.elapsed(middle, now) >= business:
            low = middle
        else:
            high = middle
    return low.replace(microsecond=0)


def _next_pk(model: type[Request] | type[Comment] | type[RequestClock] | type[Watcher] | type[Obstacle]) -> int:
    return int(model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def default_requests(employees: int) -> int:
    return min(DEFAULT_REQUESTS, round(employees * REQUESTS_PER_EMPLOYEE))


@transaction.atomic
def demo_load(
    *,
    employees: int,
    requests: int | None = None,
    seed: int = people_demo.DEFAULT_SEED,
    now: datetime | None = None,
    progress: Progress = _no_progress,
) -> tuple[people_demo.DemoResult, DemoResult]:
    """The demo organisation and its service desks, in one transaction (see the module docstring).

    ``requests`` defaults to :func:`default_requests` for that many people.

    :raises people_demo.DemoError: when the directory is not empty (nothing is written).
    """
    now = now or timezone.now()
    people = people_demo.demo_load(employees=employees, seed=seed, today=timezone.localdate(now), progress=progress)
    if requests is None:
        requests = default_requests(employees)
    desks = desks_load(requests=requests, seed=seed, now=now, progress=progress)
    return people, desks


@transaction.atomic
def desks_load(
    *,
    requests: int,
    seed: int = people_demo.DEFAULT_SEED,
    now: datetime | None = None,
    progress: Progress = _no_progress,
) -> DemoResult:
    """Desks, catalogs, standards and ``requests`` requests over the demo organisation already loaded.

    Departments are matched by their unit code (IT, HR, FIN …); one the catalog does not know gets no desk.

    :raises DemoError: when service desks exist already (nothing is written).
    """
    started = clock.monotonic()
    if Desk.objects.exists():
        raise DemoError("Service desks exist already.")
    if requests < 0:
        raise DemoError("The number of requests cannot be negative.")
    now = (now or timezone.now()).astimezone(_UTC)
    loader = _Loader(seed=seed, now=now)
    loader.catalog()
    progress("desks", len(loader.desks), len(loader.desks))
    cooperation_events = 0
    if requests:
        # The internal service agreements first: requests from their consumers run under them.
        loader.agreements = cooperation_demo.agreements_load(now=now)
        loader.requests(requests, progress)
        # Commitments, negotiations, ratings and thanks over the history just written.
        cooperation = cooperation_demo.cooperation_load(seed=seed, now=now, agreements=loader.agreements)
        progress("promises and ratings", cooperation.commitments, cooperation.commitments)
        cooperation_events = cooperation.events
    return DemoResult(
        desks=len(loader.desks),
        services=loader.service_count,
        request_types=loader.type_count,
        requests=loader.request_count,
        comments=loader.comment_count,
        events=loader.event_count + cooperation_events,
        seconds=clock.monotonic() - started,
    )


class _Loader:
    REQUEST_COLUMNS = (
        "id",
        "desk_id",
        "number",
        "request_type_id",
        "requester_id",
        "on_behalf_of_id",
        "assignee_id",
        "priority",
        "status",
        "subject",
        "description",
        "description_html",
        "field_values",
        "created_at",
        "updated_at",
        "first_responded_at",
        "resolved_at",
        "closed_at",
        "auto_close_at",
        "next_due_at",
        "sla_flag",
        "agreement_id",
    )
    COMMENT_COLUMNS = ("id", "request_id", "author_id", "body", "body_html", "internal", "created_at")
    # Explicit keys: a NULL id would be refused by PostgreSQL's identity columns.
    WATCHER_COLUMNS = ("id", "request_id", "employee_id")
    CLOCK_COLUMNS = (
        "id", "request_id", "metric", "standard_id", "calendar_id", "target_seconds", "state", "running",
        "elapsed_seconds", "computed_at", "due_at", "at_risk_at", "met_at", "breached_at", "at_risk_notified_at",
        "breach_notified_at",
    )  # fmt: skip
    OBSTACLE_COLUMNS = (
        "id", "request_id", "flagged_by_id", "description", "waiting_on", "waiting_on_person_id",
        "waiting_on_request_id", "waiting_on_outside", "expected_at", "state", "resolved_at", "resolved_by_id",
        "resolution_note", "created_at", "updated_at",
    )  # fmt: skip

    def __init__(self, *, seed: int, now: datetime) -> None:
        self.rng = random.Random(f"servicedesk:{seed}")  # noqa: S311 - demo data, not security
        self.now = now
        self.start = now - timedelta(days=HISTORY_DAYS + 7)
        self.desks: list[_Desk] = []
        self.agreements: cooperation_demo.AgreementBook | None = None
        self.service_count = self.type_count = 0
        self.request_count = self.comment_count = self.event_count = 0
        self.people: dict[int, _Person] = {
            pk: _Person(pk, user_id, first_name, path or "", start or date.min, manager)
            for pk, user_id, first_name, path, start, manager in Employee.objects.filter(is_active=True)
            .order_by("pk")
            .values_list("pk", "user_id", "user__first_name", "unit__path", "start_date", "manager_id")
        }
        self.by_username = dict(
            Employee.objects.filter(
                is_active=True, user__username__in=[p.username for p in people_demo.NAMED]
            ).values_list("user__username", "pk")
        )
        ops = connection.ops
        self.datetime = ops.adapt_datetimefield_value
        self.json = partial(ops.adapt_json_value, encoder=None)

    # --- catalog ---------------------------------------------------------------------------------

    def catalog(self) -> None:
        departments = {
            unit.code: unit
            for unit in Unit.objects.filter(kind=UnitKind.DEPARTMENT, provides_services=True).order_by("pk")
        }
        locations = {location.city: location for location in people_demo.LOCATIONS}
        events: list[Event] = []
        for definition in DESKS:
            unit = departments.get(definition.code)
            if unit is None:
                continue  # not in this organisation (an organisation the demo did not build)
            lead_user = self.people[unit.lead_id].user_id if unit.lead_id in self.people else None
            location = locations[definition.city]
            desk = Desk.objects.create(
                unit=unit, prefix=definition.prefix, auto_close_days=definition.auto_close_days, created_at=self.start
            )
            _calendar, values = services.calendar_validate(
                time_zone=location.time_zone,
                week=definition.week,
                country=location.country,
                subdivision=location.subdivision,
                holidays=self._company_days(definition),
                closures=self._closures(definition, ZoneInfo(location.time_zone)),
            )
            desk.calendar = CalendarVersion.objects.create(
                desk=desk, version=1, created_at=self.start, created_by_id=lead_user, **values
            )
            desk.save(update_fields=["calendar"])
            events.append(
                self._event(desk, services.CATALOG_CHANGED, lead_user, {"what": "desk_created", "prefix": desk.prefix})
            )
            agents = list(selectors.desk_agents(desk=desk).values_list("pk", "unit__code"))
            team_units = list(
                Unit.objects.filter(path__startswith=unit.path, kind=UnitKind.TEAM).values_list("code", "lead_id")
            )
            teams: dict[str, list[int]] = {}
            team_leads: dict[str, int] = {}
            for service in definition.services:
                base = f"{unit.code}-{service.team}"
                codes = {code for code, _lead in team_units if code == base or code.removeprefix(base).isdigit()}
                teams[service.team] = [pk for pk, code in agents if code in codes]
                leads = [lead for code, lead in team_units if code in codes and lead in self.people]
                if leads:
                    team_leads[service.team] = leads[0]
            desk_ctx = _Desk(
                definition=definition,
                desk=desk,
                calendar=clockstore.calendar_for(desk.calendar_id),
                zone=ZoneInfo(location.time_zone),
                lead=unit.lead_id if unit.lead_id in self.people else None,
                agents=[pk for pk, _code in agents],
                teams=teams,
                team_leads=team_leads,
                requesters=[pk for pk, person in self.people.items() if not person.unit_path.startswith(unit.path)],
            )
            self._services(desk_ctx, lead_user, events)
            self.desks.append(desk_ctx)
        self.event_count += len(events_record_bulk(events, dispatch=False))

    def _company_days(self, definition: DeskDef) -> list[str]:
        years = range(self.start.year, self.now.year + 2)
        return [date(year, month, day).isoformat() for year in years for month, day in definition.company_days]

    def _closures(self, definition: DeskDef, zone: ZoneInfo) -> list[list[str]]:
        if definition.closure is None:
            return []
        days_ago, start, end, _reason = definition.closure
        day = (self.now - timedelta(days=days_ago)).astimezone(zone).date()
        while day.weekday() >= 4:  # a Monday to Thursday, so that it closes an open day
            day -= timedelta(days=1)
        return [
            [
                datetime.combine(day, time.fromisoformat(start), tzinfo=zone).isoformat(),
                datetime.combine(day, time.fromisoformat(end), tzinfo=zone).isoformat(),
            ]
        ]

    def _services(self, ctx: _Desk, lead_user: int | None, events: list[Event]) -> None:
        definition = ctx.definition
        for position, service_def in enumerate(definition.services):
            service = Service.objects.create(
                desk=ctx.desk,
                name=service_def.name,
                description=service_def.description,
                owner_id=ctx.team_leads.get(service_def.team, ctx.lead),
                position=position,
                created_at=self.start,
            )
            self.service_count += 1
            events.append(self._event(service, services.CATALOG_CHANGED, lead_user, {"what": "service_created"}))
            for type_position, type_def in enumerate(service_def.types):
                request_type = RequestType.objects.create(
                    service=service,
                    name=type_def.name,
                    description=type_def.description,
                    default_priority=type_def.default_priority,
                    assignment=type_def.assignment,
                    position=type_position,
                    created_at=self.start,
                )
                self.type_count += 1
                cleaned = services.fields_validate(list(type_def.fields))
                RequestField.objects.bulk_create(
                    RequestField(request_type=request_type, **values) for values in cleaned
                )
                revisions = {
                    priority: (self.now - timedelta(days=days_ago), first, resolution)
                    for name, priority, days_ago, first, resolution in definition.revisions
                    if name == type_def.name
                }
                standards = ServiceStandard.objects.bulk_create(
                    ServiceStandard(
                        request_type=request_type,
                        priority=priority,
                        version=1,
                        is_current=priority not in revisions,
                        first_response_minutes=first,
                        resolution_minutes=resolution,
                        business_hours=business_hours,
                        at_risk_percent=definition.at_risk_percent,
                        pausing_statuses=list(services.DEFAULT_PAUSING),
                        obstacles_pause_resolution=definition.obstacles_pause,
                        created_at=self.start,
                        created_by_id=lead_user,
                    )
                    for priority, (first, resolution, business_hours) in definition.targets.items()
                )
                versions = {standard.priority: [standard] for standard in standards}
                for priority, (at, first, resolution) in revisions.items():
                    old = versions[priority][0]
                    new = ServiceStandard.objects.create(
                        request_type=request_type,
                        priority=priority,
                        version=2,
                        first_response_minutes=first,
                        resolution_minutes=resolution,
                        business_hours=old.business_hours,
                        at_risk_percent=old.at_risk_percent,
                        pausing_statuses=old.pausing_statuses,
                        obstacles_pause_resolution=old.obstacles_pause_resolution,
                        created_at=at,
                        created_by_id=lead_user,
                    )
                    versions[priority].append(new)
                    event = self._event(
                        request_type,
                        services.STANDARD_CHANGED,
                        lead_user,
                        {"priority": priority, "version": new.version, "standard": new.pk},
                    )
                    event.occurred_at = at
                    events.append(event)
                events.append(
                    self._event(request_type, services.CATALOG_CHANGED, lead_user, {"what": "request_type_created"})
                )
                ctx.types.append(
                    _Type(
                        definition=type_def,
                        service=service_def,
                        request_type=request_type,
                        specs=[
                            FieldSpec(
                                key=f["key"],
                                label=f["label"],
                                type=f["type"],
                                required=f["required"],
                                choices=tuple(f["choices"]),
                            )
                            for f in cleaned
                        ],
                        standards={priority: history[-1] for priority, history in versions.items()},
                        team=ctx.teams.get(service_def.team) or ctx.agents,
                        versions=versions,
                        revisions=sorted((at, priority) for priority, (at, _f, _r) in revisions.items()),
                    )
                )

    def _event(self, subject: Any, event_type: str, actor_user: int | None, payload: dict[str, Any]) -> Event:
        return Event(
            type=event_type,
            subject_type=subject._meta.label_lower,
            subject_id=str(subject.pk),
            actor_id=actor_user,
            payload=payload,
            occurred_at=self.start,
        )

    # --- planning --------------------------------------------------------------------------------

    def requests(self, total: int, progress: Progress) -> None:
        desks = [ctx for ctx in self.desks if ctx.types and ctx.agents and ctx.requesters]
        if not desks:
            return
        planned = self._plan_named(total, desks)
        shares = [ctx.definition.share for ctx in desks]
        rest = total - len(planned)
        counts = [int(rest * share / sum(shares)) for share in shares]
        counts[0] += rest - sum(counts)
        for ctx, count in zip(desks, counts, strict=True):
            planned.extend(self._plan(ctx) for _ in range(count))
        planned.sort(key=lambda p: (p.created, p.desk.desk.pk))
        first_pk = _next_pk(Request)
        for offset, plan in enumerate(planned):
            plan.pk = first_pk + offset
            plan.desk.count += 1
            plan.number = plan.desk.count
        self.next_comment = _next_pk(Comment)
        self.next_clock = _next_pk(RequestClock)
        self.next_watcher = _next_pk(Watcher)
        self.next_obstacle = _next_pk(Obstacle)
        writer = _Writer(self)
        for start in range(0, len(planned), CHUNK_SIZE):
            writer.write(planned[start : start + CHUNK_SIZE])
            progress("requests", min(start + CHUNK_SIZE, len(planned)), len(planned))
        for ctx in desks:
            ctx.desk.next_number = ctx.count + 1
            for kind in ctx.types:
                kind.request_type.last_assignee_id = kind.last_assignee  # round robin's cursor
        Desk.objects.bulk_update([ctx.desk for ctx in desks], ["next_number"])
        RequestType.objects.bulk_update([kind.request_type for ctx in desks for kind in ctx.types], ["last_assignee"])
        if self.agreements is not None:
            self.agreements.standards_write()  # the agreed standards the clocks are bound to
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(
                no_style(), [Request, Comment, RequestClock, Watcher, Obstacle]
            ):
                cursor.execute(statement)

    def agreement_for(
        self, ctx: _Desk, kind: _Type, person: int, at: datetime
    ) -> cooperation_demo.AgreementHistory | None:
        """The agreement a request of this type made at ``at`` for ``person`` runs under, if any."""
        if self.agreements is None:
            return None
        return self.agreements.agreement_for(
            provider_unit_id=ctx.desk.unit_id,
            service_id=kind.request_type.service_id,
            unit_path=self.people[person].unit_path,
            at=at,
        )

    def standard_at(
        self, kind: _Type, agreement: cooperation_demo.AgreementHistory | None, priority: str, at: datetime
    ) -> ServiceStandard:
        """The standard a clock bound at ``at`` runs under (``agreement_selectors.standard_for`` then):
        the agreed one when the request's agreement has a target for it, else the public version."""
        public = kind.standard_at(priority, at)
        if agreement is None or self.agreements is None:
            return public
        return self.agreements.standard(agreement, public=public, service_id=kind.request_type.service_id, at=at)

    def _plan(self, ctx: _Desk) -> _Planned:
        rng = self.rng
        kind = rng.choices(ctx.types, weights=[t.definition.weight for t in ctx.types])[0]
        if rng.random() < 0.65:
            priority = kind.definition.default_priority
        else:
            priority = rng.choices(list(_PRIORITY_WEIGHTS), weights=list(_PRIORITY_WEIGHTS.values()))[0]
        created = self._when(ctx)
        requester = self._requester(ctx, created)
        manual = kind.definition.assignment == "manual"
        filed = None
        if manual and rng.random() < 0.06:
            index = list(_PRIORITY_WEIGHTS).index(priority)
            filed = list(_PRIORITY_WEIGHTS)[min(3, index + 1) if index < 2 else index - 1]
        fr_met = rng.random() < (0.8 if priority in ("P1", "P2") else 0.9)
        res_met = rng.random() < (0.8 if priority in ("P1", "P2") else 0.87)
        roll = rng.random()
        waits = 1 if rng.random() < 0.3 else 0
        shape = _Shape(
            fr=rng.betavariate(1.6, 3.0) * 0.95 + 0.02 if fr_met else rng.uniform(1.05, 2.6),
            first="resolve" if roll < 0.12 else "ask" if roll < 0.36 else "reply",
            res=rng.betavariate(2.0, 2.4) * 0.93 + 0.04 if res_met else rng.uniform(1.04, 2.4),
            notes=rng.choice((0, 0, 1, 1, 2)),
            waits=waits,
            nudge=rng.random() < 0.06,
            reopen=rng.random() < 0.06,
            requester_closes=rng.random() < 0.3,
            reply_hours=tuple(min(240.0, rng.lognormvariate(2.2, 1.2)) for _ in range(waits + 1)),
            watcher=rng.random() < 0.12,
            on_behalf=rng.random() < 0.04,
            filed_priority=filed if filed != priority else None,
            obstacle="any" if rng.random() < OBSTACLED else "",
        )
        return _Planned(ctx, kind, created, priority, requester, shape, subject=rng.choice(kind.definition.subjects))

    def _plan_named(self, total: int, desks: Sequence[_Desk]) -> list[_Planned]:
        by_prefix = {ctx.definition.prefix: ctx for ctx in desks}
        planned: list[_Planned] = []
        for story in NAMED_STORIES[:total]:
            ctx = by_prefix.get(story.desk)
            kind = next((t for t in ctx.types if t.definition.name == story.request_type), None) if ctx else None
            requester = self.by_username.get(story.requester or "")
            assignee = self.by_username.get(story.assignee or "")
            if ctx is None or kind is None or (story.requester and requester is None):
                continue
            if story.assignee and assignee is None:
                continue
            standard = kind.standards[story.priority]
            calendar = clockstore.calendar_for(ctx.desk.calendar_id if standard.business_hours else None)
            if story.running is not None:
                created = self._running_since(calendar, story, standard)
                requester = requester or self._requester(ctx, created)
                agreement = self.agreement_for(ctx, kind, requester, created)
                agreed = (
                    self.agreements.target(agreement, service_id=kind.request_type.service_id,
                                           priority=story.priority, at=created)
                    if self.agreements is not None and agreement is not None
                    else None
                )  # fmt: skip
                if agreed is not None:  # the share runs of the agreed target
                    created = self._running_since(calendar, story, agreed)
            else:
                created = self._when(ctx, around=self.now - timedelta(days=story.days_ago))
            shape = _Shape(
                fr=story.fr,
                first=story.first,
                res=story.res,
                reopen=story.reopen,
                requester_closes=story.requester_closes,
                reply_hours=(story.reply_hours,),
                assign_early=story.assign_early,
                obstacle=story.obstacle,
                obstacle_at=story.obstacle_at,
                obstacle_hours=10_000.0,  # still in the way now
            )
            planned.append(
                _Planned(
                    ctx,
                    kind,
                    created,
                    story.priority,
                    requester or self._requester(ctx, created),
                    shape,
                    assignee=assignee,
                    subject=story.subject,
                )
            )
        return planned

    def _running_since(
        self, calendar: BusinessCalendar, story: NamedStory, standard: ServiceStandard | AgreementTarget
    ) -> datetime:
        """When a story's request was filed so that ``story.running`` of the clock's target has run by now."""
        assert story.running is not None
        minutes = (
            standard.first_response_minutes if story.metric == Metric.FIRST_RESPONSE else standard.resolution_minutes
        )
        return _elapsed_back(calendar, self.now, timedelta(minutes=minutes * story.running))

    def _when(self, ctx: _Desk, around: datetime | None = None) -> datetime:
        """When a request is filed: more of them lately, most within the desk's opening hours."""
        rng = self.rng
        latest = self.now - timedelta(minutes=5)
        base = around or latest
        for _attempt in range(8):
            if around is None:
                if rng.random() < RECENT_SHARE:
                    base = latest - timedelta(days=RECENT_DAYS) * rng.random()
                else:
                    span = timedelta(days=HISTORY_DAYS - RECENT_DAYS)
                    base = latest - timedelta(days=RECENT_DAYS) - span * (1 - rng.random() ** 0.5)
            if rng.random() >= IN_HOURS_SHARE:
                return base.replace(microsecond=0)
            local = base.astimezone(ctx.zone)
            intervals = [
                (_minutes(a), _minutes(b)) for a, b in ctx.definition.week.get(_DAY_NAMES[local.weekday()], [])
            ]
            if not intervals:
                if around is not None:
                    base -= timedelta(days=1)
                continue
            pick = rng.random() * sum(end - begin for begin, end in intervals)
            for begin, end in intervals:
                if pick < end - begin:
                    minute = begin + int(pick)
                    break
                pick -= end - begin
            else:
                minute = intervals[-1][0]
            candidate = datetime.combine(local.date(), time(minute // 60, minute % 60, rng.randrange(60)), ctx.zone)
            if candidate <= latest and ctx.calendar.is_open(candidate):
                return candidate.astimezone(_UTC)
            if around is not None:
                base -= timedelta(days=1)
        return min(base, latest).replace(microsecond=0)

    def _requester(self, ctx: _Desk, created: datetime) -> int:
        rng = self.rng
        choice = ctx.requesters[0]
        for _attempt in range(4):
            choice = ctx.requesters[int(rng.random() * len(ctx.requesters))]
            if self.people[choice].start_date <= created.date():
                break
        return choice


class _Writer:
    """Turns planned requests into their history up to ``now``, then rows, events and clocks."""

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.rng = loader.rng
        self.now = loader.now
        self.people = loader.people
        self.requests = people_demo.Rows(Request, _Loader.REQUEST_COLUMNS)
        self.comments = people_demo.Rows(Comment, _Loader.COMMENT_COLUMNS)
        self.watchers = people_demo.Rows(Watcher, _Loader.WATCHER_COLUMNS)
        self.clocks = people_demo.Rows(RequestClock, _Loader.CLOCK_COLUMNS)
        self.obstacles = people_demo.Rows(Obstacle, _Loader.OBSTACLE_COLUMNS)
        self.users = {pk: person.user_id for pk, person in self.people.items()}
        self.events: list[Event] = []
        # Requests that agents of a desk filed at other desks, in the order filed, for obstacles to wait
        # on: (filed, first resolved, request, key, the agent).
        self.filed: dict[int, list[tuple[datetime, datetime, int, str, int]]] = {}
        self.desks_of: dict[int, list[int]] = {}
        for ctx in loader.desks:
            for agent in ctx.agents:
                self.desks_of.setdefault(agent, []).append(ctx.desk.pk)

    def write(self, planned: Sequence[_Planned]) -> None:
        for plan in planned:
            if plan.shape.on_behalf:
                colleague = self.rng.choice(plan.desk.requesters)
                plan.on_behalf = colleague if colleague != plan.requester else None
            plan.agreement = self.loader.agreement_for(
                plan.desk, plan.kind, plan.on_behalf or plan.requester, plan.created
            )
            acts = self._story(plan)
            self._note_filed(plan, acts)
            self._request(plan, acts)
        self.requests.flush()
        self.loader.comment_count += self.comments.flush()
        self.watchers.flush()
        self.clocks.flush()
        self.obstacles.flush()
        self.loader.event_count += len(events_record_bulk(self.events, dispatch=False))
        self.loader.request_count += len(planned)
        self.events = []

    # --- a request's life ------------------------------------------------------------------------

    def _story(self, plan: _Planned) -> list[_Act]:  # noqa: C901 - one request's life, step by step
        rng, shape, ctx, kind = self.rng, plan.shape, plan.desk, plan.kind
        standard = self.loader.standard_at(kind, plan.agreement, plan.priority, plan.created)
        calendar = clockstore.calendar_for(ctx.desk.calendar_id if standard.business_hours else None)
        first_target = timedelta(minutes=standard.first_response_minutes)
        resolution_target = timedelta(minutes=standard.resolution_minutes)
        requester = plan.requester
        first_name = self.people[requester].first_name
        acts: list[_Act] = []
        state = {"status": Status.NEW.value, "responded": False}
        at = plan.created

        def status(to: str, actor: int | None, **extra: Any) -> None:
            acts.append(
                _Act(at, clockstore.REQUEST_STATUS_CHANGED, actor, {"from": state["status"], "to": to, **extra})
            )
            state["status"] = to

        def comment(author: int, body: str, internal: bool = False) -> None:
            payload = {"comment": None, "internal": internal, "from_requester": author == requester}
            acts.append(_Act(at, services.REQUEST_COMMENTED, author, payload, comment=(author, body, internal)))
            if not internal and author != requester and not state["responded"]:
                state["responded"] = True
                acts.append(_Act(at, clockstore.REQUEST_FIRST_RESPONSE, author, {"by": "reply"}))

        def answer(text: str) -> None:  # the requester replies; a waiting or resolved request goes back to work
            comment(requester, text)
            status(Status.IN_PROGRESS, requester, reason="requester_replied")

        def resolve(agent: int) -> None:
            status(Status.RESOLVED, agent)
            acts[-1].auto_close_at = services._auto_close_at(ctx.desk, at)  # noqa: SLF001 - the service's own rule
            resolutions.append(acts[-1])
            for obstacle in left_open:  # resolved with the request, after its status change
                cleared = _cleared(obstacle, "", "request_resolved")
                acts.append(_Act(at, clockstore.OBSTACLE_RESOLVED, agent, cleared, obstacle=obstacle))
            left_open.clear()

        left_open: list[_Obstacle] = []
        resolutions: list[_Act] = []
        filed = shape.filed_priority or plan.priority
        key = f"{ctx.definition.prefix}-{plan.number}"
        opened: dict[str, Any] = {"number": key, "priority": filed, "status": "new"}
        if plan.agreement is not None:
            opened["agreement"] = plan.agreement.agreement.pk
        acts.append(_Act(at, clockstore.REQUEST_OPENED, requester, opened))
        assignee = plan.assignee
        assigned = True
        if kind.definition.assignment != "manual" and assignee is None:
            assignee = self._auto_assignee(ctx, kind, at)
            acts.append(
                _Act(
                    at,
                    services.REQUEST_ASSIGNED,
                    None,
                    {"to": assignee, "from": None, "rule": kind.definition.assignment},
                )
            )
        elif kind.definition.assignment != "manual" or shape.assign_early:
            assignee = assignee or rng.choice(kind.team)
            at = calendar.add(at, first_target * min(0.05, shape.fr / 2))
            acts.append(
                _Act(
                    at,
                    services.REQUEST_ASSIGNED,
                    ctx.lead or assignee,
                    {"from": None, "to": assignee, "rule": "manual"},
                )
            )
        else:
            assigned = False
        watcher = self.people[requester].manager
        if shape.watcher and watcher is not None and watcher in self.people:
            acts.append(_Act(at, services.REQUEST_WATCHER_ADDED, requester, {"employee": watcher}))

        at = calendar.add(plan.created, first_target * shape.fr)
        if not assigned:
            assignee = assignee or rng.choice(kind.team)
            triager = assignee if rng.random() < 0.6 else ctx.team_leads.get(kind.service.team, ctx.lead or assignee)
            acts.append(_Act(at, services.REQUEST_ASSIGNED, triager, {"from": None, "to": assignee, "rule": "manual"}))
        assert assignee is not None
        if shape.filed_priority:
            acts.append(_Act(at, services.REQUEST_PRIORITY_CHANGED, assignee, {"from": filed, "to": plan.priority}))
        worked = first_target * shape.fr
        asks = ctx.definition.asks or ("Could you tell me a little more?",)
        replies = iter(shape.reply_hours)
        if shape.first == "resolve":
            comment(assignee, rng.choice(QUICK_FIXES).format(first=first_name))
            resolve(assignee)
        else:
            if shape.first == "ask":
                comment(assignee, f"Hi {first_name}, thanks. {rng.choice(asks)}")
                status(Status.WAITING_ON_REQUESTER, assignee)
                at += timedelta(hours=next(replies, 4.0))
                answer(rng.choice(REQUESTER_ANSWERS))
            else:
                status(Status.IN_PROGRESS, assignee)
                comment(assignee, rng.choice(ACKNOWLEDGEMENTS).format(first=first_name))
            remaining = max(resolution_target * shape.res - worked, timedelta(minutes=5))
            steps = sorted(
                [(rng.random(), "note") for _ in range(shape.notes)]
                + [(rng.random(), "wait") for _ in range(shape.waits)]
                + ([(rng.random(), "nudge")] if shape.nudge else [])
                + ([(shape.obstacle_at or rng.random(), "obstacle")] if shape.obstacle else [])
            )
            done = timedelta(0)
            for share, step in steps:
                at = calendar.add(at, remaining * share - done)
                done = remaining * share
                if step == "note":
                    colleague = rng.choice(kind.team) if rng.random() < 0.3 else assignee
                    comment(colleague, rng.choice(NOTES), internal=True)
                elif step == "nudge":
                    comment(requester, rng.choice(NUDGES))
                elif step == "obstacle":
                    at = self._obstacle(plan, acts, at, assignee, left_open)
                else:
                    comment(assignee, rng.choice(asks))
                    status(Status.WAITING_ON_REQUESTER, assignee)
                    at += timedelta(hours=next(replies, 4.0))
                    answer(rng.choice(REQUESTER_ANSWERS))
            at = calendar.add(at, remaining - done)
            comment(assignee, rng.choice(RESOLUTIONS).format(first=first_name))
            resolve(assignee)
        auto_close = resolutions[-1].auto_close_at
        assert auto_close is not None
        if shape.reopen:
            at += min(timedelta(hours=rng.uniform(1, 24)), (auto_close - at) / 2)
            answer(rng.choice(REOPENINGS))
            at = calendar.add(at, resolution_target * rng.uniform(0.05, 0.25))
            comment(assignee, rng.choice(RESOLUTIONS).format(first=first_name))
            resolve(assignee)
            auto_close = resolutions[-1].auto_close_at
            assert auto_close is not None
        if shape.requester_closes:
            at += min(timedelta(minutes=rng.uniform(5, 24 * 60)), (auto_close - at) * 0.9)
            status(Status.CLOSED, requester)
        else:
            at = auto_close
            status(Status.CLOSED, None, reason="auto_closed")
        self._note_load(ctx, acts, assignee)
        return acts

    def _obstacle(
        self, plan: _Planned, acts: list[_Act], at: datetime, assignee: int, left_open: list[_Obstacle]
    ) -> datetime:
        """Flag an obstacle at ``at`` and hold the work until it is out of the way; returns when the
        work goes on. It waits on another desk's request (flagged by the agent of this desk who filed
        it, cleared when that request is resolved), on the requester's manager, or on an outside party
        (now and then left open until the request is resolved)."""
        rng, shape = self.rng, plan.shape
        roll = rng.random()
        hold = timedelta(hours=shape.obstacle_hours or min(240.0, rng.lognormvariate(2.7, 0.9)))
        expected = (at + hold * rng.uniform(0.7, 1.5)).replace(second=0, microsecond=0) + timedelta(minutes=1)
        manager = self.people[plan.requester].manager
        waited = (
            self._waited(plan, at)
            if shape.obstacle == "request" or (shape.obstacle == "any" and roll < OBSTACLE_ON_REQUEST)
            else None
        )
        if waited is not None:
            agent, request_id, key, resolved = waited
            obstacle = _Obstacle(agent, rng.choice(WAITS_ON_REQUEST).format(key=key), WaitingOn.REQUEST, expected,
                                 waited=request_id)  # fmt: skip
            payload = _flagged(obstacle, key)
            until = resolved + timedelta(minutes=rng.randint(10, 120))
        elif (
            shape.obstacle == "any"
            and OBSTACLE_ON_REQUEST <= roll < OBSTACLE_ON_REQUEST + OBSTACLE_ON_PERSON
            and manager in self.people
            and manager != assignee
        ):
            first = self.people[manager].first_name
            obstacle = _Obstacle(assignee, rng.choice(WAITS_ON_PERSON).format(first=first), WaitingOn.PERSON,
                                 expected, person=manager)  # fmt: skip
            payload = _flagged(obstacle, "")
            until = at + hold
        else:
            description, party = rng.choice(plan.desk.definition.blockers or BLOCKERS)
            obstacle = _Obstacle(assignee, description, WaitingOn.OUTSIDE, expected, outside=party)
            payload = _flagged(obstacle, "")
            until = at + hold
            if shape.obstacle == "any" and rng.random() < OBSTACLE_LEFT_OPEN:
                acts.append(_Act(at, clockstore.OBSTACLE_FLAGGED, obstacle.flagged_by, payload, obstacle=obstacle))
                left_open.append(obstacle)
                return until
        acts.append(_Act(at, clockstore.OBSTACLE_FLAGGED, obstacle.flagged_by, payload, obstacle=obstacle))
        until = max(until, at + timedelta(minutes=5))
        cleared = _cleared(obstacle, rng.choice(OBSTACLE_NOTES), "resolved")
        acts.append(_Act(until, clockstore.OBSTACLE_RESOLVED, assignee, cleared, obstacle=obstacle))
        return until

    def _waited(self, plan: _Planned, at: datetime) -> tuple[int, int, str, datetime] | None:
        """A request still open at ``at`` that an agent of the plan's desk filed at another desk:
        (the agent, the request, its key, when it is resolved). The latest filed of the last 60 days."""
        since = at - timedelta(days=60)
        for filed, resolved, request_id, key, agent in reversed(self.filed.get(plan.desk.desk.pk, ())):
            if filed < since:
                break
            if filed <= at < resolved:
                return agent, request_id, key, resolved
        return None

    def _note_filed(self, plan: _Planned, acts: list[_Act]) -> None:
        """Remember a request an agent of another desk filed, for that desk's obstacles to wait on."""
        desks = [pk for pk in self.desks_of.get(plan.requester, ()) if pk != plan.desk.desk.pk]
        if not desks:
            return
        resolved = next(
            (
                act.at
                for act in acts
                if act.type == clockstore.REQUEST_STATUS_CHANGED and act.payload["to"] == Status.RESOLVED
            ),
            self.now + timedelta(days=3650),  # (every story is resolved at some time)
        )
        key = f"{plan.desk.definition.prefix}-{plan.number}"
        for desk in desks:
            self.filed.setdefault(desk, []).append((plan.created, resolved, plan.pk, key, plan.requester))

    def _auto_assignee(self, ctx: _Desk, kind: _Type, at: datetime) -> int:
        """Round robin over the desk's agents by id, or the one with the least open work then."""
        if kind.definition.assignment == "round_robin":
            after = [agent for agent in ctx.agents if kind.last_assignee is not None and agent > kind.last_assignee]
            kind.last_assignee = after[0] if after else ctx.agents[0]
            return kind.last_assignee
        while ctx.open_until and ctx.open_until[0][0] <= at:
            _until, agent = heapq.heappop(ctx.open_until)
            ctx.load[agent] -= 1
        return min(ctx.agents, key=lambda agent: (ctx.load.get(agent, 0), agent))

    def _note_load(self, ctx: _Desk, acts: list[_Act], assignee: int) -> None:
        resolved = next(
            (
                act.at
                for act in acts
                if act.type == clockstore.REQUEST_STATUS_CHANGED and act.payload["to"] == Status.RESOLVED
            ),
            self.now,
        )
        heapq.heappush(ctx.open_until, (resolved, assignee))
        ctx.load[assignee] = ctx.load.get(assignee, 0) + 1

    # --- what of it has happened by now ------------------------------------------------------------

    def _request(self, plan: _Planned, acts: list[_Act]) -> None:  # noqa: C901 - one pass over the history
        loader, now, rng = self.loader, self.now, self.rng
        ctx, kind = plan.desk, plan.kind
        status = Status.NEW.value
        priority = plan.shape.filed_priority or plan.priority
        assignee: int | None = None
        first_responded = resolved = closed = auto_close = None
        updated = plan.created
        history: list[HistoryEntry] = []
        applied: list[tuple[_Act, int]] = []  # each act that happened, with the history before it
        flagged: list[tuple[_Obstacle, datetime]] = []
        cleared: dict[int, _Act] = {}
        request_id = str(plan.pk)
        for act in acts:
            if act.at > now:
                break
            applied.append((act, len(history)))
            if act.comment is not None:
                author, body, internal = act.comment
                act.payload["comment"] = loader.next_comment
                self.comments.add(
                    loader.next_comment, plan.pk, author, body, _html(body), internal, self.loader.datetime(act.at)
                )
                loader.next_comment += 1
            if act.obstacle is not None:
                if act.type == clockstore.OBSTACLE_FLAGGED:
                    act.obstacle.pk = loader.next_obstacle
                    loader.next_obstacle += 1
                    flagged.append((act.obstacle, act.at))
                else:
                    cleared[act.obstacle.pk] = act
                act.payload["obstacle"] = act.obstacle.pk
            if act.type == services.REQUEST_ASSIGNED:
                assignee = act.payload["to"]
            elif act.type == services.REQUEST_PRIORITY_CHANGED:
                priority = act.payload["to"]
            elif act.type == services.REQUEST_WATCHER_ADDED:
                self.watchers.add(loader.next_watcher, plan.pk, act.payload["employee"])
                loader.next_watcher += 1
            elif act.type == clockstore.REQUEST_FIRST_RESPONSE:
                first_responded = act.at
            elif act.type == clockstore.REQUEST_STATUS_CHANGED:
                previous, status = act.payload["from"], act.payload["to"]
                if status == Status.RESOLVED:
                    resolved, auto_close = act.at, act.auto_close_at
                elif status == Status.CLOSED:
                    closed, auto_close = act.at, None
                elif previous in (Status.RESOLVED, Status.CLOSED):
                    resolved = auto_close = None
            if act.type != services.REQUEST_WATCHER_ADDED and act.obstacle is None:
                updated = act.at  # obstacles are the cooperation layer's: the request row stays as it is
            self.events.append(
                Event(
                    type=act.type,
                    subject_type=SUBJECT_TYPE,
                    subject_id=request_id,
                    actor_id=self.users.get(act.actor) if act.actor is not None else None,
                    payload=act.payload,
                    occurred_at=act.at,
                )
            )
            entry = clockstore._entry(act.type, act.at, act.payload)  # noqa: SLF001 - the replay's own reading
            if entry is not None:
                history.append(entry)

        bound = self._bound_standards(plan, applied, history)
        clocks: list[RequestClock] = []
        for metric in (Metric.FIRST_RESPONSE, Metric.RESOLUTION):
            standard = bound[metric]
            request_clock = RequestClock(pk=loader.next_clock, request_id=plan.pk, metric=metric)
            loader.next_clock += 1
            clockstore._bind(request_clock, standard, ctx.desk.calendar_id)  # noqa: SLF001
            state = clockstore.replay(
                metric=metric, standard=standard, calendar_id=request_clock.calendar_id, history=history, now=now
            )
            clockstore._apply(request_clock, state, now)  # noqa: SLF001
            self._warnings(request_clock, plan)
            clocks.append(request_clock)
            self.clocks.add(*(self._db(getattr(request_clock, name)) for name in _Loader.CLOCK_COLUMNS))
        next_due, flag = clockstore.flags_for(status=status, clocks=clocks, now=now)
        self._obstacle_rows(plan, flagged, cleared)

        values = self._field_values(kind, plan)
        description = rng.choice(DESCRIPTIONS).format(
            subject=plan.subject, first=self.people[plan.requester].first_name
        )
        dt = self.loader.datetime
        self.requests.add(
            plan.pk,
            ctx.desk.pk,
            plan.number,
            kind.request_type.pk,
            plan.requester,
            plan.on_behalf,
            assignee,
            priority,
            status,
            plan.subject,
            description,
            _html(description),
            self.loader.json(values),
            dt(plan.created),
            dt(updated),
            dt(first_responded) if first_responded else None,
            dt(resolved) if resolved else None,
            dt(closed) if closed else None,
            dt(auto_close) if auto_close else None,
            dt(next_due) if next_due else None,
            flag,
            plan.agreement.agreement.pk if plan.agreement is not None else None,
        )

    def _obstacle_rows(
        self, plan: _Planned, flagged: list[tuple[_Obstacle, datetime]], cleared: dict[int, _Act]
    ) -> None:
        """The request's obstacles as they stand now: resolved, or still open."""
        dt = self.loader.datetime
        for obstacle, at in flagged:
            done = cleared.get(obstacle.pk)
            self.obstacles.add(
                obstacle.pk,
                plan.pk,
                obstacle.flagged_by,
                obstacle.description,
                str(obstacle.waiting_on),
                obstacle.person,
                obstacle.waited,
                obstacle.outside,
                dt(obstacle.expected_at),
                str(ObstacleState.RESOLVED if done is not None else ObstacleState.OPEN),
                dt(done.at) if done is not None else None,
                done.actor if done is not None else None,
                done.payload["note"] if done is not None else "",
                dt(at),
                dt(done.at if done is not None else at),
            )

    def _bound_standards(
        self, plan: _Planned, applied: list[tuple[_Act, int]], history: list[HistoryEntry]
    ) -> dict[str, ServiceStandard]:
        """The standard version each clock is bound to, as the services would have left it.

        A clock is bound when the request is filed; a priority change (``request_priority_set``), a
        revision of the standard and an accepted revision of the request's agreement
        (``clocks_recompute``, over the requests open then) bind every clock not finished at that
        moment to the version then current; finished clocks keep theirs. Under an agreement with a
        target for the priority that is the agreed standard (``agreement_selectors.standard_for``).
        """
        kind, desk_calendar, agreement = plan.kind, plan.desk.desk.calendar_id, plan.agreement
        priority = plan.shape.filed_priority or plan.priority
        first = self.loader.standard_at(kind, agreement, priority, plan.created)
        bound = {Metric.FIRST_RESPONSE.value: first, Metric.RESOLUTION.value: first}
        # (when, order, change, entries before): a new priority "P2", "=P2" for a revision of P2's
        # standard, or "*" for a revision of the agreement.
        changes: list[tuple[datetime, int, str, int]] = []
        for act, before in applied:
            if act.type == services.REQUEST_PRIORITY_CHANGED:
                changes.append((act.at, 1, act.payload["to"], before))
        recomputed = [(at, f"={revised}") for at, revised in kind.revisions]
        if agreement is not None:
            recomputed += [(at, "*") for at in agreement.revised_between(plan.created, self.now)]
        for at, change in recomputed:
            if plan.created < at <= self.now:
                status = next(
                    (
                        act.payload["to"]
                        for act, _before in reversed(applied)
                        if act.at < at and act.type == clockstore.REQUEST_STATUS_CHANGED
                    ),
                    Status.NEW.value,
                )
                if status in OPEN_STATUSES:
                    changes.append((at, 0, change, sum(1 for entry in history if entry.at < at)))
        for at, _order, change, before in sorted(changes, key=lambda c: (c[0], c[1])):
            if change.startswith("="):
                if change[1:] != priority:
                    continue  # a revision of another priority's standard
            elif change != "*":
                priority = change
            current = self.loader.standard_at(kind, agreement, priority, at)
            for metric, standard in bound.items():
                state = clockstore.replay(
                    metric=metric,
                    standard=standard,
                    calendar_id=desk_calendar if standard.business_hours else None,
                    history=history[:before],
                    now=at,
                )
                if state.met_at is None:
                    bound[metric] = current
        return bound

    def _db(self, value: Any) -> Any:
        return self.loader.datetime(value) if isinstance(value, datetime) else value

    def _warnings(self, request_clock: RequestClock, plan: _Planned) -> None:
        """What the per-minute sweep would have said about this clock, at the instant it fell due."""
        now = self.now
        stop = request_clock.met_at or now
        due = request_clock.due_at.isoformat() if request_clock.due_at else None
        payload = {"metric": request_clock.metric, "due_at": due}
        at_risk = request_clock.at_risk_at
        breached = request_clock.breached_at
        if at_risk is not None and at_risk <= stop and (breached is None or at_risk < breached):
            request_clock.at_risk_notified_at = at_risk
            self.events.append(self._clock_event(plan, services.CLOCK_AT_RISK, payload, at_risk))
        if breached is not None and breached <= stop:
            request_clock.breach_notified_at = breached
            request_clock.at_risk_notified_at = request_clock.at_risk_notified_at or breached
            self.events.append(self._clock_event(plan, services.CLOCK_BREACHED, payload, breached))

    def _clock_event(self, plan: _Planned, event_type: str, payload: dict[str, Any], at: datetime) -> Event:
        return Event(
            type=event_type, subject_type=SUBJECT_TYPE, subject_id=str(plan.pk), payload=payload, occurred_at=at
        )

    def _field_values(self, kind: _Type, plan: _Planned) -> dict[str, Any]:
        rng = self.rng
        values: dict[str, Any] = {}
        day = plan.created.astimezone(plan.desk.zone).date()
        for definition in kind.definition.fields:
            field_type = definition["type"]
            if field_type == "file" or (not definition["required"] and rng.random() < 0.35):
                continue
            if field_type in ("text", "long_text"):
                samples = definition.get("samples")
                if not samples:
                    continue
                values[definition["key"]] = rng.choice(samples)
            elif field_type == "choice":
                values[definition["key"]] = rng.choice(definition["choices"])
            elif field_type == "multi_choice":
                choices = definition["choices"]
                values[definition["key"]] = rng.sample(choices, k=rng.randint(1, min(3, len(choices))))
            elif field_type == "date":
                low, high = definition.get("days", (1, 30))
                values[definition["key"]] = (day + timedelta(days=rng.randint(low, high))).isoformat()
            elif field_type == "number":
                low, high = definition.get("numbers", (1, 10))
                values[definition["key"]] = rng.randint(low, high)
            elif field_type == "person":
                values[definition["key"]] = plan.desk.requesters[int(rng.random() * len(plan.desk.requesters))]
        return clean_field_values(kind.specs, values, person_exists=self.people.__contains__)
