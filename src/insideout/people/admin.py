"""The Django admin for people-ops. Every change goes through the services, so it records events
and keeps the derived columns (paths, search words) right."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from insideout.people import services, validation
from insideout.people.models import ApiToken, Employee, Profile, Unit, User


@admin.register(User)
class InsideOutUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_staff")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and Employee.objects.filter(user=obj).exists():
            # A person's name, e-mail and leaving go through the HR record (import or the
            # Employee page), which records events and keeps search and tokens right.
            fields += ["first_name", "last_name", "email", "is_active"]
        return fields


class UnitAdminForm(forms.ModelForm[Unit]):
    class Meta:
        model = Unit
        fields = ("code", "name", "kind", "parent", "lead", "provides_services", "description")

    def clean_parent(self) -> Unit | None:
        parent: Unit | None = self.cleaned_data.get("parent")
        unit = self.instance
        if parent is not None and unit.pk and unit.path and parent.path.startswith(unit.path):
            raise forms.ValidationError(_("A unit cannot move below itself or one of its sub-units."))
        return parent


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    form = UnitAdminForm
    list_display = ("name", "code", "kind", "parent", "lead", "provides_services")
    list_filter = ("kind", "provides_services")
    search_fields = ("name", "code")
    raw_id_fields = ("parent", "lead")
    list_select_related = ("parent", "lead__user")
    readonly_fields = ("path", "depth")

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        if change:
            changes = {field: form.cleaned_data[field] for field in form.changed_data}
            saved = services.unit_update(
                unit=Unit.objects.get(pk=obj.pk),
                actor=request.user,  # type: ignore[arg-type]
                **changes,
            )
        else:
            saved = services.unit_create(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        obj.pk, obj.path, obj.depth = saved.pk, saved.path, saved.depth


class ProfileInline(admin.StackedInline[Profile, Employee]):
    """Shown for reference: the profile belongs to the person, who edits it on *My profile*."""

    model = Profile
    can_delete = False
    readonly_fields = (
        "preferred_channel",
        "language",
        "communication_style",
        "recognition_preference",
        "interests",
        "working_hours",
        "about",
    )
    exclude = ()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EmployeeAdminForm(forms.ModelForm[Employee]):
    class Meta:
        model = Employee
        fields = (*services.EMPLOYEE_FIELDS, "is_active")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "country" in cleaned and "subdivision" in cleaned:
            try:
                cleaned["subdivision"] = validation.clean_subdivision(
                    cleaned["subdivision"] or "", country=validation.clean_country(cleaned["country"] or "")
                )
            except ValidationError as exc:
                self.add_error("subdivision", exc.messages)
        return cleaned

    def clean_manager(self) -> Employee | None:
        manager: Employee | None = self.cleaned_data.get("manager")
        try:
            services.manager_loop_check(self.instance, manager)
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["manager"]) from exc
        return manager


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin[Employee]):
    form = EmployeeAdminForm
    list_display = ("employee_id", "__str__", "title", "unit", "manager", "is_active")
    list_filter = ("is_active", "country", "language")
    search_fields = ("employee_id", "search_text")
    raw_id_fields = ("unit", "manager")
    list_select_related = ("user", "unit", "manager__user")
    fields = ("employee_id", *services.EMPLOYEE_FIELDS, "is_active", "deactivated_at")
    readonly_fields = ("employee_id", "deactivated_at")
    inlines = [ProfileInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # People arrive through the HRIS import (page or command), which checks a whole file.
        return False

    def save_model(self, request: HttpRequest, obj: Employee, form: Any, change: bool) -> None:
        employee = Employee.objects.select_related("user").get(pk=obj.pk)
        actor: User = request.user  # type: ignore[assignment]
        changed = [field for field in form.changed_data if field in services.EMPLOYEE_FIELDS]
        if changed:
            employee = services.employee_update(
                employee=employee, actor=actor, **{field: form.cleaned_data[field] for field in changed}
            )
        if "is_active" in form.changed_data:
            if form.cleaned_data["is_active"]:
                services.employee_reactivate(employee=employee, actor=actor)
            else:
                services.employee_deactivate(employee=employee, actor=actor)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("prefix", "name", "user", "scope", "last_used_at", "revoked_at")
    list_select_related = ("user",)
    readonly_fields = ("digest", "prefix", "last_used_at")
    raw_id_fields = ("user",)
