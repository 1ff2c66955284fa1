"""A realistic, deterministic demo organisation, written in bulk (``insideout demo``).

The same seed (and the same day: start dates count back from today) gives the same organisation:
the plan is drawn from one ``random.Random`` and names come from per-locale pools drawn from Faker
instances seeded with a stable hash.

Everything gets explicit primary keys, so managers, unit leads and materialized paths are known
before anything is inserted; foreign keys are checked at commit (Django declares them
``DEFERRABLE INITIALLY DEFERRED`` on SQLite and PostgreSQL). Units go in with ``bulk_create``,
history events with ``events_record_bulk(dispatch=False)``; users, employees and profiles (three
rows per person) with one ``executemany`` per table and chunk, see :class:`Rows`. Per-row
services would take hours for 100,000 people; the values they derive (``search_text``,
``sort_name``) come from the same helpers here. Everything is one transaction: a failed load
leaves the database as it was.

Every demo account has the password :data:`DEMO_PASSWORD` — demo data only.
"""

from __future__ import annotations

import math
import random
import time as clock
import unicodedata
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache, partial
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from faker import Faker

from insideout.core.events import events_record_bulk
from insideout.core.models import Event
from insideout.people import selectors, services
from insideout.people.models import (
    CommunicationStyle,
    Employee,
    PreferredChannel,
    Profile,
    RecognitionPreference,
    Unit,
    UnitKind,
    User,
)

DEMO_PASSWORD = "insideout"  # noqa: S105 - demo accounts only, documented in the README
DOMAIN = "aurora.example"
COMPANY_NAME = "Aurora Group"
COMPANY_CODE = "AURORA"
MIN_EMPLOYEES = 60
DEFAULT_SEED = 42
# Above this size, commercial and operations divisions are split by region.
REGIONAL_FROM = 5000
# People written per round trip of bulk inserts; bounds memory at 100,000 people.
CHUNK_SIZE = 5000
BATCH_SIZE = 1000
NAME_POOL_SIZE = 300
LEAVER_SHARE = 0.02

Progress = Callable[[str, int, int], None]


# --- Catalogue: places, departments, teams ------------------------------------------------


@dataclass(frozen=True)
class Location:
    city: str
    country: str
    subdivision: str  # as the ``holidays`` package names it (validation.clean_subdivision)
    time_zone: str
    language: str
    locale: str  # Faker locale for names
    region: str
    weight: int
    hours: tuple[str, str]  # usual office hours


LOCATIONS: tuple[Location, ...] = (
    Location("Berlin", "DE", "BE", "Europe/Berlin", "de", "de_DE", "EMEA", 14, ("08:30", "17:00")),
    Location("Munich", "DE", "BY", "Europe/Berlin", "de", "de_DE", "EMEA", 8, ("08:00", "16:30")),
    Location("Hamburg", "DE", "HH", "Europe/Berlin", "de", "de_DE", "EMEA", 5, ("08:30", "17:00")),
    Location("London", "GB", "ENG", "Europe/London", "en", "en_GB", "EMEA", 10, ("09:00", "17:30")),
    Location("Edinburgh", "GB", "SCT", "Europe/London", "en", "en_GB", "EMEA", 2, ("09:00", "17:00")),
    Location("Paris", "FR", "", "Europe/Paris", "fr", "fr_FR", "EMEA", 6, ("09:00", "18:00")),
    Location("Lyon", "FR", "", "Europe/Paris", "fr", "fr_FR", "EMEA", 2, ("08:30", "17:30")),
    Location("Madrid", "ES", "MD", "Europe/Madrid", "es", "es_ES", "EMEA", 4, ("09:00", "18:00")),
    Location("Barcelona", "ES", "CT", "Europe/Madrid", "es", "es_ES", "EMEA", 3, ("09:00", "18:00")),
    Location("Milan", "IT", "MI", "Europe/Rome", "it", "it_IT", "EMEA", 4, ("09:00", "18:00")),
    Location("Rome", "IT", "RM", "Europe/Rome", "it", "it_IT", "EMEA", 2, ("09:00", "18:00")),
    Location("Warsaw", "PL", "14", "Europe/Warsaw", "pl", "pl_PL", "EMEA", 5, ("08:00", "16:00")),
    Location("Kraków", "PL", "12", "Europe/Warsaw", "pl", "pl_PL", "EMEA", 3, ("08:00", "16:00")),
    Location("Amsterdam", "NL", "", "Europe/Amsterdam", "nl", "nl_NL", "EMEA", 4, ("08:30", "17:00")),
    Location("New York", "US", "NY", "America/New_York", "en", "en_US", "Americas", 8, ("09:00", "17:00")),
    Location("San Francisco", "US", "CA", "America/Los_Angeles", "en", "en_US", "Americas", 5, ("09:00", "17:00")),
    Location("Austin", "US", "TX", "America/Chicago", "en", "en_US", "Americas", 4, ("08:00", "17:00")),
    Location("Toronto", "CA", "ON", "America/Toronto", "en", "en_CA", "Americas", 3, ("09:00", "17:00")),
    Location("São Paulo", "BR", "SP", "America/Sao_Paulo", "pt-br", "pt_BR", "Americas", 3, ("09:00", "18:00")),
    Location("Tokyo", "JP", "", "Asia/Tokyo", "ja", "ja_JP", "APAC", 4, ("09:00", "18:00")),
    Location("Bengaluru", "IN", "KA", "Asia/Kolkata", "en", "en_IN", "APAC", 5, ("10:00", "19:00")),
)
_BY_CITY = {location.city: location for location in LOCATIONS}
HEADQUARTERS = "Berlin"
REGIONS: dict[str, tuple[str, str]] = {  # region -> (code, regional headquarters)
    "EMEA": ("EMEA", "Berlin"),
    "Americas": ("AMER", "New York"),
    "APAC": ("APAC", "Tokyo"),
}


@dataclass(frozen=True)
class TeamKind:
    name: str
    abbr: str
    titles: tuple[str, ...]
    lead_title: str
    description: str


@dataclass(frozen=True)
class DepartmentKind:
    name: str
    code: str
    weight: float  # share of the organisation's people
    lead_title: str
    description: str
    teams: tuple[TeamKind, ...]
    provides_services: bool = False
    home: str = HEADQUARTERS


@dataclass(frozen=True)
class DivisionKind:
    name: str
    code: str
    lead_title: str
    departments: tuple[DepartmentKind, ...]
    regional: bool = False  # one copy per region in large organisations


def _team(name: str, abbr: str, titles: Sequence[str], description: str, lead_title: str = "") -> TeamKind:
    return TeamKind(name, abbr, tuple(titles), lead_title or f"{name} Lead", description)


IT = DepartmentKind(
    "IT",
    "IT",
    6.0,
    "Head of IT",
    "Laptops, accounts, networks and business applications for everyone. Ask the service desk first.",
    (
        _team(
            "Service Desk",
            "SD",
            ["Service Desk Analyst", "IT Support Specialist", "Desktop Support Technician"],
            "First line for every IT question: access, devices, software, outages.",
            "Service Desk Manager",
        ),
        _team(
            "Workplace Technology",
            "WT",
            ["Endpoint Engineer", "Collaboration Tools Specialist"],
            "Laptops, phones, meeting rooms and the tools people work with every day.",
        ),
        _team(
            "Network & Infrastructure",
            "NI",
            ["Network Engineer", "Systems Engineer", "Storage Administrator"],
            "Networks, servers, data centres and backups.",
        ),
        _team(
            "Identity & Access",
            "IA",
            ["IAM Analyst", "IAM Engineer"],
            "Accounts, permissions, single sign-on and access reviews.",
        ),
        _team(
            "Enterprise Applications",
            "EA",
            ["Application Analyst", "ERP Consultant", "CRM Administrator"],
            "ERP, CRM, HR and finance systems, and the integrations between them.",
        ),
        _team(
            "Cloud Platform",
            "CP",
            ["Cloud Engineer", "Site Reliability Engineer"],
            "Cloud accounts, hosting, monitoring and cost control.",
        ),
    ),
    provides_services=True,
)
HR = DepartmentKind(
    "Human Resources",
    "HR",
    3.0,
    "Head of HR",
    "Hiring, onboarding, contracts, pay, benefits, learning and everything about working here.",
    (
        _team(
            "People Operations",
            "PO",
            ["People Operations Specialist", "HR Administrator", "HRIS Analyst"],
            "Contracts, changes, leave, HR records and the directory.",
        ),
        _team(
            "Talent Acquisition",
            "TA",
            ["Recruiter", "Talent Sourcer", "Recruiting Coordinator"],
            "Open positions, interviews and offers.",
        ),
        _team(
            "Learning & Development",
            "LD",
            ["Learning Specialist", "Learning Designer"],
            "Programmes, onboarding journeys and coaching.",
        ),
        _team(
            "Compensation & Benefits",
            "CB",
            ["Compensation Analyst", "Benefits Specialist"],
            "Pay bands, bonuses, pensions and benefits.",
        ),
        _team(
            "HR Business Partners",
            "BP",
            ["HR Business Partner", "Employee Relations Specialist"],
            "A partner for every department's people questions.",
        ),
    ),
    provides_services=True,
)
FINANCE = DepartmentKind(
    "Finance",
    "FIN",
    3.5,
    "Head of Finance",
    "Invoices, expenses, budgets, payroll and reporting.",
    (
        _team(
            "Accounts Payable",
            "AP",
            ["Accounts Payable Accountant", "Accounting Clerk"],
            "Supplier invoices and payments.",
        ),
        _team(
            "Accounts Receivable",
            "AR",
            ["Accounts Receivable Accountant", "Credit Controller"],
            "Customer invoices, collections and credit.",
        ),
        _team(
            "Financial Planning & Analysis",
            "FP",
            ["Financial Analyst", "Business Controller"],
            "Budgets, forecasts and business cases.",
        ),
        _team("Payroll", "PY", ["Payroll Specialist", "Payroll Administrator"], "Salaries, expenses and travel costs."),
        _team("Tax & Treasury", "TT", ["Tax Specialist", "Treasury Analyst"], "Tax filings, banking and cash."),
    ),
    provides_services=True,
)
FACILITIES = DepartmentKind(
    "Facilities",
    "FAC",
    2.5,
    "Head of Facilities",
    "Offices, desks, maintenance, reception, mail and moves.",
    (
        _team(
            "Workplace Services",
            "WS",
            ["Facilities Coordinator", "Workplace Experience Specialist"],
            "Desks, moves, meeting rooms and office supplies.",
        ),
        _team(
            "Maintenance",
            "MT",
            ["Maintenance Technician", "Electrician", "HVAC Technician"],
            "Repairs, heating, lighting and building systems.",
        ),
        _team(
            "Reception & Mailroom",
            "RM",
            ["Receptionist", "Mailroom Coordinator"],
            "Visitors, parcels, post and badges.",
        ),
        _team(
            "Real Estate",
            "RE",
            ["Real Estate Manager", "Space Planner"],
            "Leases, new sites and office layouts.",
        ),
    ),
    provides_services=True,
)
LEGAL = DepartmentKind(
    "Legal",
    "LEG",
    1.0,
    "General Counsel",
    "Contracts, compliance, data protection and intellectual property.",
    (
        _team("Commercial Contracts", "CC", ["Legal Counsel", "Contract Manager"], "Contract review and templates."),
        _team("Compliance", "CO", ["Compliance Officer", "Compliance Analyst"], "Policies, trainings and reports."),
        _team("Data Protection", "DP", ["Privacy Counsel", "Data Protection Specialist"], "Privacy and GDPR."),
        _team("Intellectual Property", "IP", ["IP Counsel", "Paralegal"], "Trademarks, patents and licences."),
    ),
    provides_services=True,
)
MARKETING = DepartmentKind(
    "Marketing",
    "MKT",
    3.0,
    "Head of Marketing",
    "Brand, design, content, events and internal communications for every department.",
    (
        _team(
            "Brand & Creative",
            "BC",
            ["Graphic Designer", "Brand Manager", "Copywriter"],
            "Logos, templates, presentations and design requests.",
        ),
        _team("Content", "CT", ["Content Marketer", "Editor"], "Articles, case studies and the website."),
        _team("Events", "EV", ["Event Manager", "Event Coordinator"], "Trade fairs, customer days and town halls."),
        _team(
            "Digital Marketing",
            "DM",
            ["Digital Marketing Specialist", "SEO Specialist", "Marketing Analyst"],
            "Campaigns, ads and analytics.",
        ),
        _team(
            "Internal Communications",
            "IC",
            ["Communications Specialist", "Intranet Editor"],
            "News, announcements and the intranet.",
        ),
    ),
    provides_services=True,
)
PROCUREMENT = DepartmentKind(
    "Procurement",
    "PRC",
    1.5,
    "Head of Procurement",
    "Buying goods and services: quotes, suppliers, orders and contracts.",
    (
        _team("Purchasing", "PU", ["Buyer", "Purchasing Assistant"], "Purchase requests and orders."),
        _team("Strategic Sourcing", "SS", ["Category Manager", "Sourcing Analyst"], "Tenders and framework deals."),
        _team("Supplier Management", "SM", ["Supplier Manager", "Supplier Quality Analyst"], "Supplier onboarding."),
    ),
    provides_services=True,
)
SECURITY = DepartmentKind(
    "Security",
    "SEC",
    1.5,
    "Chief Information Security Officer",
    "Information and physical security: incidents, risks, badges and guidance.",
    (
        _team(
            "Security Operations",
            "SO",
            ["Security Analyst", "Incident Responder"],
            "Monitoring, phishing reports and incidents.",
        ),
        _team(
            "Security Engineering",
            "SE",
            ["Security Engineer", "Application Security Engineer"],
            "Secure design reviews and security tooling.",
        ),
        _team(
            "Governance, Risk & Compliance",
            "GR",
            ["GRC Analyst", "Risk Manager"],
            "Risk assessments, audits and certifications.",
        ),
        _team(
            "Physical Security",
            "PS",
            ["Security Officer", "Access Control Specialist"],
            "Badges, access control and site safety.",
        ),
    ),
    provides_services=True,
)
ENGINEERING = DepartmentKind(
    "Engineering",
    "ENG",
    16.0,
    "VP Engineering",
    "Builds and runs Aurora's products.",
    (
        _team("Backend", "BE", ["Software Engineer", "Backend Engineer"], "Services and APIs."),
        _team("Frontend", "FE", ["Frontend Engineer", "Software Engineer"], "Web applications."),
        _team("Mobile", "MO", ["iOS Engineer", "Android Engineer"], "Mobile apps."),
        _team("Quality Engineering", "QE", ["QA Engineer", "Test Automation Engineer"], "Testing and releases."),
        _team("Data", "DA", ["Data Engineer", "Data Scientist"], "Data pipelines and models."),
        _team("Developer Platform", "DP", ["Platform Engineer", "DevOps Engineer"], "Build, deploy and run."),
    ),
)
PRODUCT = DepartmentKind(
    "Product",
    "PRD",
    4.0,
    "VP Product",
    "Decides what gets built and why.",
    (
        _team("Product Management", "PM", ["Product Manager", "Product Owner"], "Roadmaps and priorities."),
        _team("Product Design", "PD", ["Product Designer", "UX Designer"], "Design of every screen."),
        _team("User Research", "UR", ["UX Researcher"], "Interviews, tests and insights."),
    ),
)
RESEARCH = DepartmentKind(
    "Research & Development",
    "RND",
    5.0,
    "Head of Research & Development",
    "New materials, prototypes and patents.",
    (
        _team("Materials Research", "MR", ["Research Scientist", "Lab Technician"], "Materials and chemistry."),
        _team("Prototyping", "PT", ["Mechanical Engineer", "Prototype Technician"], "Prototypes and trials."),
        _team("Electronics", "EL", ["Electronics Engineer", "Firmware Engineer"], "Boards and firmware."),
    ),
    home="Munich",
)
MANUFACTURING = DepartmentKind(
    "Manufacturing",
    "MFG",
    22.0,
    "Head of Manufacturing",
    "Makes Aurora's products in its plants.",
    (
        _team("Assembly", "AS", ["Production Operator", "Assembly Technician"], "Assembly lines."),
        _team("Quality Control", "QC", ["Quality Inspector", "Quality Engineer"], "Inspections and audits."),
        _team("Process Engineering", "PE", ["Process Engineer", "Industrial Engineer"], "Lines and efficiency."),
        _team("Plant Maintenance", "PM", ["Maintenance Mechanic", "Automation Technician"], "Machines."),
    ),
    home="Hamburg",
)
SUPPLY_CHAIN = DepartmentKind(
    "Supply Chain",
    "SCM",
    7.0,
    "Head of Supply Chain",
    "Planning, warehouses and shipping.",
    (
        _team("Demand Planning", "DP", ["Demand Planner", "Supply Planner"], "Forecasts and stock levels."),
        _team("Warehouse", "WH", ["Warehouse Associate", "Forklift Operator"], "Receiving, storage, picking."),
        _team("Logistics", "LO", ["Logistics Coordinator", "Transport Planner"], "Carriers and shipments."),
    ),
    home="Hamburg",
)
SALES = DepartmentKind(
    "Sales",
    "SAL",
    13.0,
    "Head of Sales",
    "Wins and grows customers.",
    (
        _team("Enterprise Sales", "ES", ["Account Executive", "Enterprise Account Manager"], "Large accounts."),
        _team("Inside Sales", "IS", ["Sales Development Representative", "Inside Sales Representative"], "Leads."),
        _team("Key Accounts", "KA", ["Key Account Manager"], "Strategic customers."),
        _team("Sales Operations", "SO", ["Sales Operations Analyst", "Sales Coordinator"], "Quotes and CRM."),
        _team("Partner Sales", "PS", ["Partner Manager", "Channel Sales Manager"], "Resellers and partners."),
    ),
)
CUSTOMER_SUCCESS = DepartmentKind(
    "Customer Success",
    "CS",
    8.0,
    "Head of Customer Success",
    "Keeps customers happy after the sale.",
    (
        _team("Customer Support", "SU", ["Customer Support Specialist", "Technical Support Engineer"], "Tickets."),
        _team("Onboarding", "ON", ["Onboarding Specialist", "Implementation Consultant"], "New customers."),
        _team("Customer Success Management", "CM", ["Customer Success Manager"], "Renewals and adoption."),
    ),
)

DIVISIONS: tuple[DivisionKind, ...] = (
    DivisionKind(
        "Corporate Functions", "CORP", "Chief Financial Officer", (HR, FINANCE, LEGAL, PROCUREMENT, MARKETING)
    ),
    DivisionKind("Technology & Workplace", "TECH", "Chief Information Officer", (IT, FACILITIES, SECURITY)),
    DivisionKind("Product & Engineering", "PE", "Chief Technology Officer", (ENGINEERING, PRODUCT, RESEARCH)),
    DivisionKind("Operations", "OPS", "Chief Operating Officer", (MANUFACTURING, SUPPLY_CHAIN), regional=True),
    DivisionKind("Commercial", "COM", "Chief Revenue Officer", (SALES, CUSTOMER_SUCCESS), regional=True),
)
SERVICE_DEPARTMENTS = tuple(d.name for div in DIVISIONS for d in div.departments if d.provides_services)

INTERESTS = (
    "cycling", "running", "hiking", "climbing", "yoga", "football", "tennis", "swimming", "chess",
    "board games", "photography", "painting", "cooking", "baking", "coffee", "wine", "gardening",
    "jazz", "classical music", "guitar", "piano", "choir", "podcasts", "science fiction", "history",
    "travel", "languages", "volunteering", "sustainability", "mentoring", "public speaking", "design",
    "open source", "data visualisation", "electronics", "woodworking", "birdwatching", "sailing",
    "skiing", "dogs", "cats", "film", "theatre", "poetry", "crosswords", "astronomy", "parenting", "dancing",
)  # fmt: skip
ABOUT = (
    "Happy to help with anything about {topic}.",
    "Ask me about {interest}.",
    "I prefer a short message over a meeting.",
    "Mornings are my focus time; afternoons are for questions.",
    "Coffee chats welcome, especially about {interest}.",
    "Working across time zones: I answer within a day.",
    "",
)


@dataclass(frozen=True)
class NamedPerson:
    """A documented demo sign-in; its role comes from where the plan puts it."""

    username: str
    first_name: str
    last_name: str
    city: str
    role: str

    @property
    def email(self) -> str:
        return f"{self.first_name}.{self.last_name}@{DOMAIN}".lower()


NAMED: tuple[NamedPerson, ...] = (
    NamedPerson("admin", "Katrin", "Vogel", "Berlin", "people-ops administrator and Django admin (HR)"),
    NamedPerson("alex", "Alex", "Morgan", "London", "employee in a sales team"),
    NamedPerson("sam", "Sam", "Patel", "London", "agent in IT's service desk"),
    NamedPerson("lena", "Lena", "Hoffmann", "Berlin", "lead of the IT department"),
    NamedPerson("mo", "Mo", "Haddad", "London", "manager of a sales team"),
)
_NAMED_BY_USERNAME = {person.username: person for person in NAMED}


# --- Plan -----------------------------------------------------------------------------------


@dataclass
class PlannedUnit:
    pk: int
    code: str
    name: str
    kind: str
    parent: PlannedUnit | None
    location: Location
    provides_services: bool
    description: str
    region: str | None
    path: str = ""
    depth: int = 0
    lead_pk: int | None = None


@dataclass(slots=True)
class Slot:
    """One person's place in the organisation, before they have a name."""

    pk: int
    unit: PlannedUnit
    manager_pk: int | None
    title: str
    location: Location
    level: int  # 0 chief executive, 1 division lead, 2 department lead, 3 team lead, 4 member
    named: NamedPerson | None = None
    leaves: bool = False


@dataclass
class Plan:
    units: list[PlannedUnit] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)


def team_size_for(employees: int) -> int:
    """Teams grow with the organisation: about 7 people at 100, 25 at 100,000."""
    return max(6, min(25, round(2 * math.sqrt(math.sqrt(employees)))))


def _weighted(rng: random.Random, locations: Sequence[Location]) -> Location:
    return rng.choices(locations, weights=[location.weight for location in locations])[0]


def _allocate(total: int, weights: Sequence[float], minimum: Sequence[int]) -> list[int]:
    """Split ``total`` by ``weights`` (largest remainder), each part at least its minimum."""
    extra = total - sum(minimum)
    if extra < 0:
        raise ValueError("not enough people for the minimum of every part")
    whole = sum(weights)
    exact = [extra * weight / whole for weight in weights]
    parts = [int(share) for share in exact]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: extra - sum(parts)]:
        parts[i] += 1
    return [low + part for low, part in zip(minimum, parts, strict=True)]


def _region_share(region: str) -> float:
    total = sum(location.weight for location in LOCATIONS)
    return sum(location.weight for location in LOCATIONS if location.region == region) / total


def plan_organisation(*, employees: int, rng: random.Random, unit_pk: int, employee_pk: int) -> Plan:
    """Units and places for ``employees`` people, with primary keys from the given starts."""
    if employees < MIN_EMPLOYEES:
        raise ValueError(f"the demo needs at least {MIN_EMPLOYEES} employees")
    plan = Plan()
    next_unit = iter(range(unit_pk, unit_pk + 1_000_000))
    next_person = iter(range(employee_pk, employee_pk + employees))

    def add_unit(parent: PlannedUnit | None, **values: object) -> PlannedUnit:
        unit = PlannedUnit(pk=next(next_unit), parent=parent, **values)  # type: ignore[arg-type]
        unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
        unit.depth = parent.depth + 1 if parent else 0
        plan.units.append(unit)
        return unit

    def add_slot(unit: PlannedUnit, manager_pk: int | None, title: str, location: Location, level: int) -> Slot:
        slot = Slot(pk=next(next_person), unit=unit, manager_pk=manager_pk, title=title, location=location, level=level)
        plan.slots.append(slot)
        return slot

    regional = employees >= REGIONAL_FROM
    hq = _BY_CITY[HEADQUARTERS]
    company = add_unit(
        None,
        code=COMPANY_CODE,
        name=COMPANY_NAME,
        kind=UnitKind.COMPANY,
        location=hq,
        provides_services=False,
        description="Aurora designs, makes and sells smart building products.",
        region=None,
    )
    # (division kind, region) copies, then one entry per department copy with its weight.
    division_copies: list[tuple[DivisionKind, str | None]] = []
    for kind in DIVISIONS:
        if kind.regional and regional:
            division_copies.extend((kind, region) for region in REGIONS)
        else:
            division_copies.append((kind, None))
    departments: list[tuple[int, DepartmentKind, str | None]] = []
    for index, (kind, region) in enumerate(division_copies):
        departments.extend((index, department, region) for department in kind.departments)
    weights = [d.weight * (_region_share(region) if region else 1.0) for _i, d, region in departments]
    headcounts = _allocate(employees - 1 - len(division_copies), weights, [3] * len(departments))
    team_size = team_size_for(employees)

    ceo = add_slot(company, None, "Chief Executive Officer", hq, 0)
    company.lead_pk = ceo.pk
    for index, (kind, region) in enumerate(division_copies):
        suffix = f" {region}" if region else ""
        code_suffix = f"-{REGIONS[region][0]}" if region else ""
        home = _BY_CITY[REGIONS[region][1]] if region else hq
        division = add_unit(
            company,
            code=f"{kind.code}{code_suffix}",
            name=f"{kind.name}{suffix}",
            kind=UnitKind.DIVISION,
            location=home,
            provides_services=False,
            description="",
            region=region,
        )
        lead_title = f"Managing Director, {kind.name}{suffix}" if region else kind.lead_title
        division_lead = add_slot(division, ceo.pk, lead_title, home, 1)
        division.lead_pk = division_lead.pk
        for (owner, department_kind, _region), headcount in zip(departments, headcounts, strict=True):
            if owner != index:
                continue
            _plan_department(
                add_unit=add_unit,
                add_slot=add_slot,
                rng=rng,
                division=division,
                division_lead_pk=division_lead.pk,
                kind=department_kind,
                region=region,
                headcount=headcount,
                team_size=team_size,
            )
    _place_named(plan)
    # A few people have left (about 2 %, at least one): never a lead nor a documented sign-in.
    members = [slot for slot in plan.slots if slot.level == 4 and slot.named is None]
    for slot in rng.sample(members, k=max(1, round(employees * LEAVER_SHARE))):
        slot.leaves = True
    return plan


def _plan_department(
    *,
    add_unit: Callable[..., PlannedUnit],
    add_slot: Callable[[PlannedUnit, int | None, str, Location, int], Slot],
    rng: random.Random,
    division: PlannedUnit,
    division_lead_pk: int,
    kind: DepartmentKind,
    region: str | None,
    headcount: int,
    team_size: int,
) -> None:
    suffix = f" {region}" if region else ""
    code_suffix = f"-{REGIONS[region][0]}" if region else ""
    home = _BY_CITY[REGIONS[region][1]] if region else _BY_CITY[kind.home]
    places = [location for location in LOCATIONS if region is None or location.region == region]
    department = add_unit(
        division,
        code=f"{kind.code}{code_suffix}",
        name=f"{kind.name}{suffix}",
        kind=UnitKind.DEPARTMENT,
        location=home,
        provides_services=kind.provides_services,
        description=kind.description,
        region=region,
    )
    lead = add_slot(department, division_lead_pk, f"{kind.lead_title}{suffix}", home, 2)
    department.lead_pk = lead.pk
    members = headcount - 1
    teams = max(1, min(round(members / team_size), members // 2))
    sizes = _allocate(members, [rng.uniform(0.7, 1.3) for _ in range(teams)], [2] * teams)
    bases = kind.teams
    repeats = [len(range(b, teams, len(bases))) for b in range(len(bases))]
    seen: dict[str, int] = {}
    for i, size in enumerate(sizes):
        team_kind = bases[i % len(bases)]
        # The first team sits with its department; the others in offices across the region.
        location = home if i == 0 else _weighted(rng, places)
        name = team_kind.name
        code = f"{department.code}-{team_kind.abbr}"
        if repeats[i % len(bases)] > 1:
            name = f"{team_kind.name} {location.city}"
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name} {seen[name]}"
        if i >= len(bases):
            code = f"{code}{i // len(bases) + 1}"
        team = add_unit(
            department,
            code=code,
            name=name,
            kind=UnitKind.TEAM,
            location=location,
            provides_services=kind.provides_services,
            description=team_kind.description,
            region=region,
        )
        team_lead = add_slot(team, lead.pk, team_kind.lead_title, location, 3)
        team.lead_pk = team_lead.pk
        for _ in range(size - 1):
            roll = rng.random()
            title = rng.choice(team_kind.titles)
            if roll < 0.2:
                title = f"Senior {title}"
            elif roll < 0.27:
                title = f"Junior {title}"
            # Most people sit where their team sits; some work from another office of the region.
            where = location if rng.random() < 0.88 else _weighted(rng, places)
            add_slot(team, team_lead.pk, title, where, 4)


def _place_named(plan: Plan) -> None:
    """Put the documented sign-ins where their roles come from the data."""
    first_team: dict[str, PlannedUnit] = {}
    department_of_code: dict[str, PlannedUnit] = {}
    for unit in plan.units:
        if unit.kind == UnitKind.DEPARTMENT:
            department_of_code.setdefault(unit.code.split("-")[0], unit)
        elif unit.kind == UnitKind.TEAM and unit.parent is not None:
            first_team.setdefault(unit.parent.code.split("-")[0], unit)
    by_pk = {slot.pk: slot for slot in plan.slots}
    members: dict[int, list[Slot]] = {}
    for slot in plan.slots:
        if slot.level == 4:
            members.setdefault(slot.unit.pk, []).append(slot)

    def name(slot: Slot, username: str, title: str | None = None) -> None:
        person = _NAMED_BY_USERNAME[username]
        slot.named = person
        slot.location = _BY_CITY[person.city]
        if title:
            slot.title = title

    it_lead = department_of_code[IT.code].lead_pk
    assert it_lead is not None
    name(by_pk[it_lead], "lena")
    name(members[first_team[IT.code].pk][0], "sam", "Service Desk Analyst")
    name(members[first_team[HR.code].pk][0], "admin", "People Operations Specialist")
    sales_team = first_team[SALES.code]
    assert sales_team.lead_pk is not None
    name(by_pk[sales_team.lead_pk], "mo")
    name(members[sales_team.pk][0], "alex", "Account Executive")


# --- Names ----------------------------------------------------------------------------------

_ASCII = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "Ae", "œ": "oe", "đ": "d"})


def ascii_slug(value: str) -> str:
    """``"José-María de la Fuente"`` → ``"jose-mariadelafuente"``: safe for user names and e-mail."""
    folded = unicodedata.normalize("NFKD", value.translate(_ASCII)).encode("ascii", "ignore").decode()
    return "".join(char for char in folded.lower() if char.isalnum() or char == "-").strip("-")


def _stable_seed(*parts: object) -> int:
    return zlib.crc32(":".join(str(part) for part in parts).encode())


NamePool = tuple[list[tuple[str, str]], list[tuple[str, str]]]


@cache
def name_pools(seed: int, locale: str) -> dict[str, NamePool]:
    """For one locale, by gender (``"f"``, ``"m"``): first and family names drawn from a seeded Faker.

    Drawing from pools keeps Faker's realistic frequencies at a fraction of its cost per name
    (its weighted en_US lists take ~0.2 ms a name). Each entry is ``(display, ascii)``: Japanese
    names come with their romanization for user names and e-mail addresses. A pure function of
    its arguments, so it is cached for the process (tests load several demos).
    """
    fake = Faker(locale)  # one per locale: building one takes ~0.1 s
    pools: dict[str, NamePool] = {}
    size = range(NAME_POOL_SIZE)
    for sex in ("f", "m"):
        fake.seed_instance(_stable_seed(seed, locale, sex))
        female = sex == "f"
        if locale == "ja_JP":
            first_pair = fake.first_name_female_pair if female else fake.first_name_male_pair
            firsts = [(kanji, roman) for kanji, _kana, roman in (first_pair() for _ in size)]
            lasts = [(kanji, roman) for kanji, _kana, roman in (fake.last_name_pair() for _ in size)]
        else:
            first = fake.first_name_female if female else fake.first_name_male
            last = fake.last_name_female if female else fake.last_name_male
            firsts = [(value, value) for value in (first() for _ in size)]
            lasts = [(value, value) for value in (last() for _ in size)]
        pools[sex] = (firsts, lasts)
    return pools


class UniqueHandles:
    """``first.last`` user names (and e-mails) made unique with a number: ``anna.schmidt2``."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self._next: dict[str, int] = {}

    def claim(self, first_ascii: str, last_ascii: str) -> str:
        base = ".".join(part for part in (ascii_slug(first_ascii), ascii_slug(last_ascii)) if part) or "person"
        handle = base
        number = self._next.get(base, 1)
        while handle in self.taken:
            number += 1
            handle = f"{base}{number}"
        self._next[base] = number
        self.taken.add(handle)
        return handle


# --- People -----------------------------------------------------------------------------------


class Rows:
    """Rows of one table, written with one ``executemany`` per chunk.

    ``bulk_create`` spends most of a 100,000-person load compiling SQL value by value (the whole
    load took 195 s on the 2-core reference machine, over the 120 s target); here each value is
    adapted once, with the connection adapters Django itself uses, and the statement is built once.
    Columns the demo does not fill get their model default, so a new field with a default keeps
    the demo working; generated columns are the database's to fill.
    """

    def __init__(self, model: type[models.Model], attnames: Sequence[str]) -> None:
        fields = {
            field.attname: field
            for field in model._meta.concrete_fields
            if not isinstance(field, models.GeneratedField)
        }
        unknown = set(attnames) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no fields {sorted(unknown)}")
        rest = [field for name, field in fields.items() if name not in attnames]
        self.defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in rest)
        columns = [str(fields[name].column) for name in attnames] + [str(field.column) for field in rest]
        quote = connection.ops.quote_name
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model, values bound
            quote(model._meta.db_table),
            ", ".join(quote(column) for column in columns),
            ", ".join(["%s"] * len(columns)),
        )
        self.rows: list[tuple[Any, ...]] = []

    def add(self, *values: Any) -> None:
        self.rows.append(values + self.defaults)

    def flush(self) -> int:
        count = len(self.rows)
        if count:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.rows)
        self.rows = []
        return count


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


# Mean days in the company by level: leaders have been here longer.
_TENURE_DAYS = (4200, 3300, 2600, 2000, 1300)
_MAX_TENURE_DAYS = 27 * 365
_NINE = time(9, 0)
_CHANNELS = (PreferredChannel.EMAIL.value, PreferredChannel.CHAT.value, PreferredChannel.IN_APP.value)
_CHANNEL_WEIGHTS = tuple(accumulate((45, 40, 15)))
_STYLES = (CommunicationStyle.FACTS.value, CommunicationStyle.STORIES.value, CommunicationStyle.MIXED.value)
_STYLE_WEIGHTS = tuple(accumulate((35, 25, 40)))
_RECOGNITION = (
    RecognitionPreference.PUBLIC.value,
    RecognitionPreference.TEAM.value,
    RecognitionPreference.PRIVATE.value,
)
_RECOGNITION_WEIGHTS = tuple(accumulate((40, 35, 25)))
_INTEREST_COUNTS = (0, 1, 2, 2, 3, 3, 4, 5)
_WEEK = ("mon", "tue", "wed", "thu", "fri")


class PeopleWriter:
    """Turns slots into users, employees, profiles and their history events."""

    USER_COLUMNS = (
        "id", "password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active",
        "date_joined",
    )  # fmt: skip
    EMPLOYEE_COLUMNS = (
        "id", "created_at", "updated_at", "user_id", "employee_id", "title", "unit_id", "manager_id", "location",
        "country", "subdivision", "time_zone", "language", "start_date", "is_active", "deactivated_at",
        "search_text", "sort_name",
    )  # fmt: skip
    PROFILE_COLUMNS = (
        "employee_id", "created_at", "updated_at", "preferred_channel", "language", "communication_style",
        "recognition_preference", "interests", "working_hours", "about",
    )  # fmt: skip

    def __init__(
        self,
        *,
        rng: random.Random,
        seed: int,
        today: date,
        password_hash: str,
        user_pk_offset: int,
        taken: set[str],
    ) -> None:
        self.rng = rng
        self.seed = seed
        self.handles = UniqueHandles(taken)
        self.today = today
        self.password_hash = password_hash
        self.user_pk_offset = user_pk_offset
        self.users = Rows(User, self.USER_COLUMNS)
        self.employees = Rows(Employee, self.EMPLOYEE_COLUMNS)
        self.profiles = Rows(Profile, self.PROFILE_COLUMNS)
        self.events: list[Event] = []
        self.leavers = 0
        ops = connection.ops
        self.datetime = ops.adapt_datetimefield_value
        self.date = ops.adapt_datefield_value
        # What JSONField.get_db_prep_save does, without the per-value field machinery.
        self.json = partial(ops.adapt_json_value, encoder=None)
        self._hours: dict[tuple[int, str, str], Any] = {}
        self.now = self.datetime(timezone.now())

    def write(self, slots: Sequence[Slot]) -> int:
        """Insert these people; returns how many history events were written."""
        for slot in slots:
            self._person(slot)
        self.users.flush()
        self.employees.flush()
        self.profiles.flush()
        services.search_tokens_rebuild(employee_ids=[slot.pk for slot in slots])
        events = events_record_bulk(self.events, dispatch=False)
        self.events = []
        return len(events)

    def _person(self, slot: Slot) -> None:
        rng = self.rng
        location = slot.location
        firsts, lasts = name_pools(self.seed, location.locale)["f" if rng.random() < 0.5 else "m"]
        first_name, first_ascii = firsts[int(rng.random() * len(firsts))]
        last_name, last_ascii = lasts[int(rng.random() * len(lasts))]
        if slot.named is not None:
            first_name, last_name = slot.named.first_name, slot.named.last_name
            username, email = slot.named.username, slot.named.email
        else:
            username = self.handles.claim(first_ascii, last_ascii)
            email = f"{username}@{DOMAIN}"
        tenure = min(int(rng.expovariate(1 / _TENURE_DAYS[slot.level])), _MAX_TENURE_DAYS)
        leaves = slot.leaves
        if leaves:
            tenure += 90  # joined, then stayed at least a month
        start_date = self.today - timedelta(days=tenure)
        started_at = datetime.combine(start_date, _NINE, tzinfo=_zone(location.time_zone))
        left_at = started_at + timedelta(days=rng.randint(30, tenure - 1), hours=8) if leaves else None
        active = not leaves
        user_pk = self.user_pk_offset + slot.pk
        is_admin = slot.named is not None and slot.named.username == "admin"
        self.users.add(
            user_pk,
            self.password_hash,
            is_admin,
            username,
            first_name,
            last_name,
            email,
            is_admin,
            active,
            self.datetime(started_at),
        )
        self.employees.add(
            slot.pk,
            self.now,
            self.now,
            user_pk,
            f"AU{slot.pk:06d}",
            slot.title,
            slot.unit.pk,
            slot.manager_pk,
            location.city,
            location.country,
            location.subdivision,
            location.time_zone,
            location.language,
            self.date(start_date),
            active,
            self.datetime(left_at) if left_at else None,
            services.search_text_for(first_name=first_name, last_name=last_name, email=email, title=slot.title),
            services.sort_name_for(first_name=first_name, last_name=last_name),
        )
        self._profile(slot, start_date)
        self.events.append(
            Event(
                type=services.EMPLOYEE_JOINED,
                subject_type="people.employee",
                subject_id=str(slot.pk),
                payload={"unit": slot.unit.pk, "manager": slot.manager_pk},
                occurred_at=started_at,
            )
        )
        if left_at is not None:
            self.leavers += 1
            self.events.append(
                Event(
                    type=services.EMPLOYEE_LEFT,
                    subject_type="people.employee",
                    subject_id=str(slot.pk),
                    payload={},
                    occurred_at=left_at,
                )
            )

    def _profile(self, slot: Slot, start_date: date) -> None:
        rng = self.rng
        location = slot.location
        channel = rng.choices(_CHANNELS, cum_weights=_CHANNEL_WEIGHTS)[0]
        style = rng.choices(_STYLES, cum_weights=_STYLE_WEIGHTS)[0]
        recognition = rng.choices(_RECOGNITION, cum_weights=_RECOGNITION_WEIGHTS)[0]
        # Most people read the interface in their HR language; some colleagues abroad prefer English.
        language = "en" if location.language != "en" and rng.random() < 0.2 else ""
        interests = rng.sample(INTERESTS, k=rng.choice(_INTEREST_COUNTS))
        days, (start, end) = 0, location.hours
        roll = rng.random()
        if roll < 0.75:
            days = 5
            if roll < 0.1:
                days = 4  # part time
            elif roll < 0.18:
                start, end = _shift(start, -60), _shift(end, -60)
            elif roll < 0.24:
                start, end = _shift(start, 60), _shift(end, 60)
        hours_key = (days, start, end)
        working_hours = self._hours.get(hours_key)
        if working_hours is None:
            value = {"days": list(_WEEK[:days]), "start": start, "end": end} if days else {}
            working_hours = self._hours[hours_key] = self.json(value)
        new_joiner = (self.today - start_date).days < 90
        about = "New here: say hello!" if new_joiner and rng.random() < 0.5 else rng.choice(ABOUT)
        about = about.format(topic=slot.unit.name, interest=interests[0] if interests else "my work")
        self.profiles.add(
            slot.pk,
            self.now,
            self.now,
            channel,
            language,
            style,
            recognition,
            self.json(interests),
            working_hours,
            about,
        )


def _shift(hhmm: str, minutes: int) -> str:
    hours, mins = (int(part) for part in hhmm.split(":"))
    total = hours * 60 + mins + minutes
    return f"{total // 60:02d}:{total % 60:02d}"


# --- Writing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    username: str
    name: str
    email: str
    roles: tuple[str, ...]
    unit: str
    title: str
    role: str


@dataclass(frozen=True)
class DemoResult:
    employees: int
    leavers: int
    units: int
    service_departments: int
    events: int
    seconds: float


class DemoError(Exception):
    """The demo cannot be loaded into this database; nothing was written."""


class NotEmpty(DemoError):
    """The directory already has people or units; the demo only loads into an empty one."""

    def __init__(self, employees: int, units: int) -> None:
        super().__init__(f"The directory already has {employees:,} people and {units:,} units.")
        self.employees = employees
        self.units = units


def directory_counts() -> tuple[int, int]:
    return Employee.objects.count(), Unit.objects.count()


def _next_pk(model: type[User] | type[Employee] | type[Unit]) -> int:
    return int(model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _chunks(items: Sequence[Slot], size: int) -> Iterator[Sequence[Slot]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


@transaction.atomic
def demo_load(
    *,
    employees: int,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    progress: Progress = _no_progress,
) -> DemoResult:
    """Write a demo organisation of ``employees`` people into an empty directory.

    :raises NotEmpty: when people or units exist already (nothing is written).
    """
    started = clock.monotonic()
    people, units = directory_counts()
    if people or units:
        raise NotEmpty(people, units)
    today = today or timezone.localdate()
    taken = {name.lower() for name in User.objects.values_list("username", flat=True)}
    taken |= {email.lower().split("@")[0] for email in User.objects.values_list("email", flat=True) if email}
    clash = sorted(taken & set(_NAMED_BY_USERNAME))
    if clash:
        raise DemoError(f"Accounts named {', '.join(clash)} exist already; the demo needs those user names.")
    taken |= {person.username for person in NAMED} | {person.email.split("@")[0] for person in NAMED}
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    user_pk = _next_pk(User)
    employee_pk = _next_pk(Employee)
    plan = plan_organisation(employees=employees, rng=rng, unit_pk=_next_pk(Unit), employee_pk=employee_pk)

    Unit.objects.bulk_create(
        [
            Unit(
                pk=unit.pk,
                code=unit.code,
                name=unit.name,
                kind=unit.kind,
                parent_id=unit.parent.pk if unit.parent else None,
                lead_id=unit.lead_pk,
                provides_services=unit.provides_services,
                description=unit.description,
                path=unit.path,
                depth=unit.depth,
            )
            for unit in plan.units
        ],
        batch_size=BATCH_SIZE,
    )
    progress("units", len(plan.units), len(plan.units))

    writer = PeopleWriter(
        rng=rng,
        seed=seed,
        today=today,
        password_hash=make_password(DEMO_PASSWORD),
        user_pk_offset=user_pk - employee_pk,
        taken=taken,
    )
    done = events = 0
    for slots in _chunks(plan.slots, CHUNK_SIZE):
        events += writer.write(slots)
        done += len(slots)
        progress("people", done, len(plan.slots))

    admin = User.objects.get(username="admin")
    admin.groups.add(Group.objects.get_or_create(name=selectors.PEOPLE_OPS_GROUP)[0])
    # Explicit keys leave PostgreSQL's sequences behind; SQLite's AUTOINCREMENT follows by itself.
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [User, Employee, Unit]):
            cursor.execute(statement)
    return DemoResult(
        employees=len(plan.slots),
        leavers=writer.leavers,
        units=len(plan.units),
        service_departments=sum(
            1 for unit in plan.units if unit.kind == UnitKind.DEPARTMENT and unit.provides_services
        ),
        events=events,
        seconds=clock.monotonic() - started,
    )


def sign_ins() -> list[SignIn]:
    """The documented demo sign-ins that exist in this database, with the roles the data gives them."""
    users = User.objects.filter(username__in=list(_NAMED_BY_USERNAME)).select_related("employee__unit")
    found = {user.username: user for user in users}
    result: list[SignIn] = []
    for person in NAMED:
        user = found.get(person.username)
        if user is None:
            continue
        employee: Employee | None = getattr(user, "employee", None)
        result.append(
            SignIn(
                username=user.username,
                name=user.get_full_name(),
                email=user.email,
                roles=tuple(selectors.roles_for(user).names),
                unit=employee.unit.name if employee and employee.unit else "",
                title=employee.title if employee else "",
                role=person.role,
            )
        )
    return result
