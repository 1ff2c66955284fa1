from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insideout.core.models import BaseModel


class User(AbstractUser):
    """The sign-in account. HR data lives on :class:`Employee`; accounts without one are
    administrators or integrations."""

    email = models.EmailField(_("e-mail address"), blank=True)

    objects = UserManager()  # type: ignore[assignment,misc]  # django-stubs: AbstractUser declares it generically

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ci",
                condition=~models.Q(email=""),
                violation_error_message=_("Another account already uses this e-mail address."),
            ),
        ]


class UnitKind(models.TextChoices):
    COMPANY = "company", _("Company")
    DIVISION = "division", _("Division")
    DEPARTMENT = "department", _("Department")
    TEAM = "team", _("Team")


class Unit(BaseModel):
    """A node of the organisation tree.

    ``path`` is the materialized path of primary keys (``"/1/4/12/"``), so "this unit and
    everything below it" is one indexed prefix query at any depth.
    """

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Short identifier used by the HR system and in request numbers, e.g. IT."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.TEAM)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    lead = models.ForeignKey(
        "people.Employee",
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_units",
    )
    provides_services = models.BooleanField(
        _("provides internal services"),
        default=False,
        help_text=_("Members are agents and the unit can publish a service catalog."),
    )
    description = models.TextField(_("description"), blank=True)
    path = models.CharField(max_length=400, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")),
                name="unit_not_own_parent",
                violation_error_message=_("A unit cannot be its own parent."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Employee(BaseModel):
    """A person of the organisation, as the HR system knows them. Leavers are deactivated,
    never deleted, so their history stays."""

    user = models.OneToOneField(
        "people.User", verbose_name=_("sign-in account"), on_delete=models.PROTECT, related_name="employee"
    )
    employee_id = models.CharField(_("employee id"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2, e.g. DE."))
    subdivision = models.CharField(
        _("subdivision"), max_length=10, blank=True, help_text=_("ISO 3166-2 subdivision, e.g. BE for Berlin.")
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    language = models.CharField(_("language"), max_length=10, default="en")
    start_date = models.DateField(_("start date"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)
    # Lower-cased name, title and e-mail, maintained by the services: one indexed-friendly
    # column for people search instead of an OR over three joins.
    search_text = models.CharField(max_length=600, editable=False, default="")
    sort_name = models.CharField(max_length=200, editable=False, default="")

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        indexes = [
            models.Index(fields=["unit", "is_active"], name="employee_unit_active_idx"),
            models.Index(fields=["manager", "is_active"], name="employee_manager_active_idx"),
            # Covers "active people in name order": the list pages walk it instead of sorting.
            models.Index(
                fields=["sort_name", "id"], name="employee_active_sort_idx", condition=models.Q(is_active=True)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("pk")),
                name="employee_not_own_manager",
                violation_error_message=_("A person cannot be their own manager."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return person_name(self.user.first_name, self.user.last_name, self.user.username)


def person_name(first_name: str, last_name: str, username: str) -> str:
    """How a person is named everywhere (``Employee.name``): the full name, else the username; for
    reads that take the account's columns as plain values instead of model rows."""
    return f"{first_name} {last_name}".strip() or username


class SearchToken(models.Model):
    """One word a person can be found by (see ``people/search.py``); rebuilt by the services."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "employee"], name="search_token_unique")]
        indexes = [models.Index(fields=["employee"], name="search_token_employee_idx")]

    def __str__(self) -> str:
        return self.token


class PreferredChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Chat")
    IN_APP = "in_app", _("In the app")


class CommunicationStyle(models.TextChoices):
    FACTS = "facts", _("Facts and data")
    STORIES = "stories", _("Stories and context")
    MIXED = "mixed", _("A mix of both")


class RecognitionPreference(models.TextChoices):
    PUBLIC = "public", _("Publicly, on the wall")
    TEAM = "team", _("Within my team")
    PRIVATE = "private", _("Privately, just to me")


class Profile(BaseModel):
    """How a person likes to be served and recognised. Owned by the person, never by the import."""

    employee = models.OneToOneField(Employee, primary_key=True, on_delete=models.CASCADE, related_name="profile")
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=PreferredChannel.choices, default=PreferredChannel.EMAIL
    )
    language = models.CharField(
        _("language"), max_length=10, blank=True, help_text=_("Leave empty to use the language from HR records.")
    )
    communication_style = models.CharField(
        _("communication style"), max_length=10, choices=CommunicationStyle.choices, default=CommunicationStyle.MIXED
    )
    recognition_preference = models.CharField(
        _("recognition preference"),
        max_length=10,
        choices=RecognitionPreference.choices,
        default=RecognitionPreference.PUBLIC,
    )
    interests = models.JSONField(_("interests"), default=list, blank=True)
    # {"days": ["mon", ...], "start": "09:00", "end": "17:00"}, validated by the service.
    working_hours = models.JSONField(_("working hours"), default=dict, blank=True)
    about = models.CharField(_("about me"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"Profile of {self.employee_id}"


class TokenScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Read and write")


class ApiToken(BaseModel):
    """A personal access token for the REST API. Only a SHA-256 digest is stored; the token is
    shown once, when created."""

    user = models.ForeignKey("people.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    scope = models.CharField(_("scope"), max_length=10, choices=TokenScope.choices, default=TokenScope.READ)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
