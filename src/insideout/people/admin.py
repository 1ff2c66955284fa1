from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from insideout.people.models import ApiToken, Employee, Profile, Unit, User


@admin.register(User)
class InsideOutUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_staff")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    list_display = ("name", "code", "kind", "parent", "lead", "provides_services")
    list_filter = ("kind", "provides_services")
    search_fields = ("name", "code")
    raw_id_fields = ("parent", "lead")
    list_select_related = ("parent", "lead__user")
    readonly_fields = ("path", "depth")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        from insideout.people import services

        if change:
            changes = {field: form.cleaned_data[field] for field in form.changed_data}
            services.unit_update(unit=Unit.objects.get(pk=obj.pk), actor=request.user, **changes)
        else:
            created = services.unit_create(actor=request.user, **{k: v for k, v in form.cleaned_data.items()})
            obj.pk = created.pk


class ProfileInline(admin.StackedInline[Profile, Employee]):
    model = Profile
    can_delete = False


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin[Employee]):
    list_display = ("employee_id", "__str__", "title", "unit", "manager", "is_active")
    list_filter = ("is_active", "country", "language")
    search_fields = ("employee_id", "search_text")
    raw_id_fields = ("user", "unit", "manager")
    list_select_related = ("user", "unit", "manager__user")
    readonly_fields = ("deactivated_at",)
    inlines = [ProfileInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("prefix", "name", "user", "scope", "last_used_at", "revoked_at")
    list_select_related = ("user",)
    readonly_fields = ("digest", "prefix", "last_used_at")
    raw_id_fields = ("user",)
