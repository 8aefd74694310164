"""Admin pages for the organisation. Every save and delete goes through ``org.services`` so the
audit log records it exactly as it records the same change made from the app."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from servicecoach.org import services
from servicecoach.org.models import (
    AuditAction,
    AuditEntry,
    CalendarOverride,
    OrgUnit,
    Person,
    RoleAssignment,
    User,
)

UNIT_FIELDS = ("name", "code", "kind", "parent", "active")


def _copy_state(target, source) -> None:
    """Make the admin's in-memory object match what the service saved (the admin logs it next)."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding = False


class OrgUnitForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = UNIT_FIELDS

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        unit = self.instance
        if parent is not None and unit.pk and parent.path.startswith(unit.path):
            raise forms.ValidationError(_("A unit cannot be moved under itself or one of its own units."))
        return parent


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    form = OrgUnitForm
    list_display = ("indented_name", "code", "kind", "parent", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "code")
    ordering = ("path",)
    fields = UNIT_FIELDS
    autocomplete_fields = ("parent",)

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj: OrgUnit) -> str:
        return f"{'— ' * obj.depth}{obj.name}"

    def save_model(self, request, obj, form, change):
        if change:
            original = OrgUnit.objects.get(pk=obj.pk)
            fields = {f: form.cleaned_data[f] for f in form.changed_data if f in UNIT_FIELDS}
            saved = services.unit_update(actor=request.user, unit=original, **fields)
        else:
            saved = services.unit_create(actor=request.user, name=obj.name, code=obj.code, kind=obj.kind,
                                         parent=obj.parent)
            if not obj.active:
                saved = services.unit_update(actor=request.user, unit=saved, active=False)
        _copy_state(obj, saved)

    def delete_model(self, request, obj):
        services.unit_delete(actor=request.user, unit=obj)

    def delete_queryset(self, request, queryset):
        # Deepest first, so that a unit is deleted after the units under it.
        for unit in queryset.order_by("-depth"):
            try:
                services.unit_delete(actor=request.user, unit=unit)
            except ProtectedError:
                self.message_user(request, _("%(unit)s still has people or units and was kept.") % {"unit": unit},
                                  messages.WARNING)


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    fields = ("role", "unit")
    autocomplete_fields = ("unit",)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("employee_no", "name", "unit", "level", "status", "user")
    list_filter = ("status", "level", "unit")
    search_fields = ("name", "employee_no", "user__username", "email", "phone")
    list_select_related = ("unit", "user")
    autocomplete_fields = ("unit",)
    raw_id_fields = ("user",)
    inlines = [RoleAssignmentInline]
    fields = ("employee_no", "name", "unit", "hire_date", "level", "status", "left_on", "email", "phone", "user")

    def get_readonly_fields(self, request, obj=None):
        # The employee number is the key imports match on: it is set once.
        return ("employee_no",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if change:
            original = Person.objects.select_related("user").get(pk=obj.pk)
            fields = {f: form.cleaned_data[f] for f in form.changed_data if f in services.PERSON_FIELDS}
            saved = services.person_update(actor=request.user, person=original, **fields)
        else:
            saved = services.person_create(
                actor=request.user, employee_no=obj.employee_no, name=obj.name, unit=obj.unit,
                hire_date=obj.hire_date, level=obj.level, status=obj.status, email=obj.email, phone=obj.phone,
                left_on=obj.left_on,
            )
        if "user" in form.changed_data or (not change and obj.user_id):
            saved = services.person_link_login(actor=request.user, person=saved, user=form.cleaned_data["user"])
        _copy_state(obj, saved)

    def save_formset(self, request, form, formset, change):
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        person = form.instance
        formset.save(commit=False)
        for assignment in formset.deleted_objects:
            services.role_revoke(actor=request.user, person=person, role=assignment.role, unit=assignment.unit)
        for assignment, _changed in formset.changed_objects:
            original = RoleAssignment.objects.get(pk=assignment.pk)
            services.role_revoke(actor=request.user, person=person, role=original.role, unit=original.unit)
            services.role_grant(actor=request.user, person=person, role=assignment.role, unit=assignment.unit)
        for assignment in formset.new_objects:
            granted = services.role_grant(actor=request.user, person=person, role=assignment.role,
                                          unit=assignment.unit)
            assignment.pk = granted.pk

    def delete_model(self, request, obj):
        services.person_delete(actor=request.user, person=obj)

    def delete_queryset(self, request, queryset):
        for person in queryset.select_related("user"):
            services.person_delete(actor=request.user, person=person)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "is_working_day", "note")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"
    search_fields = ("note",)

    def save_model(self, request, obj, form, change):
        if change:
            original = CalendarOverride.objects.get(pk=obj.pk)
            if original.date != obj.date:
                services.calendar_override_delete(actor=request.user, date=original.date)
        saved = services.calendar_override_set(actor=request.user, date=obj.date,
                                               is_working_day=obj.is_working_day, note=obj.note)
        _copy_state(obj, saved)

    def delete_model(self, request, obj):
        services.calendar_override_delete(actor=request.user, date=obj.date)

    def delete_queryset(self, request, queryset):
        for override in queryset:
            services.calendar_override_delete(actor=request.user, date=override.date)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only and nobody edits or deletes it, admins included."""

    list_display = ("at", "actor_name", "action", "object_type", "object_repr", "ip")
    list_filter = ("action", "object_type", ("at", admin.DateFieldListFilter), ("actor", admin.RelatedOnlyFieldListFilter))
    search_fields = ("actor_name", "object_repr", "object_id", "ip")
    date_hierarchy = "at"
    list_select_related = ("actor",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


USER_AUDITED_FIELDS = ("username", "first_name", "last_name", "email", "is_active", "is_staff", "is_superuser")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin; changes are written to the audit log (never the password itself)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = [f for f in form.changed_data if f in USER_AUDITED_FIELDS]
        if not change:
            services.audit_record(actor=request.user, action=AuditAction.CREATE, obj=obj,
                                  changes={"username": obj.get_username()})
        elif changed or "password" in form.changed_data:
            changes = {f: form.cleaned_data.get(f) for f in changed}
            if "password" in form.changed_data:
                changes["password"] = "changed"
            services.audit_record(actor=request.user, action=AuditAction.UPDATE, obj=obj, changes=changes)

    def delete_model(self, request, obj):
        repr_, pk = str(obj), obj.pk
        super().delete_model(request, obj)
        services.audit_record(actor=request.user, action=AuditAction.DELETE, object_type="org.user",
                              object_id=str(pk), object_repr=repr_)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            services.audit_record(actor=request.user, action=AuditAction.UPDATE, obj=user,
                                  changes={"password": "changed"})
        return response
