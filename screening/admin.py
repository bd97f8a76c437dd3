"""Clinic admins edit batteries, the clinic's thresholds and licensed item wording here, and load
validated translations of instruments (read-only once loaded: a new file replaces one).

Screenings and alerts are not edited here: results are immutable and alerts close
through their own loop on the patient's pages.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.postgres.forms import SimpleArrayField
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .instruments import INSTRUMENTS
from .models import Battery, InstrumentSetting, InstrumentTranslation, ItemWording
from .selectors import silent_instruments, translation_items
from .services import translation_load, translation_remove
from .translations import ENGLISH, language_name, translation_parse


class BatteryForm(forms.ModelForm):
    instruments = SimpleArrayField(
        forms.CharField(max_length=20), help_text="Instrument codes separated by commas, e.g. PHQ-9,GAD-7."
    )

    class Meta:
        model = Battery
        fields = ["name", "instruments", "timepoint", "position"]


@admin.register(Battery)
class BatteryAdmin(admin.ModelAdmin):
    form = BatteryForm
    list_display = ["name", "instrument_codes", "timepoint", "position"]
    list_editable = ["position"]

    @admin.display(description="instruments")
    def instrument_codes(self, battery: Battery) -> str:
        return ", ".join(battery.instruments)


class InstrumentSettingForm(forms.ModelForm):
    instrument = forms.ChoiceField(choices=[(code, f"{code} — {i.name}") for code, i in INSTRUMENTS.items()])

    class Meta:
        model = InstrumentSetting
        fields = ["instrument", "high_cutoff", "mcid", "rc", "source"]


@admin.register(InstrumentSetting)
class InstrumentSettingAdmin(admin.ModelAdmin):
    """The clinic's own cut-off and change thresholds, each with its source; the pages say which
    instruments of the batteries in use can never flag until a cut-off is set here."""

    form = InstrumentSettingForm
    list_display = ["instrument", "high_cutoff", "mcid", "rc", "source"]

    def _warn_silent(self, request: HttpRequest) -> None:
        silent = silent_instruments()
        if silent and request.method == "GET":
            names = ", ".join(f"{instrument.code} ({instrument.name})" for instrument in silent)
            self.message_user(
                request,
                f"Can never flag a patient until a cut-off is set here: {names}. "
                "These are in a battery in use and no cut-off is published for them.",
                messages.WARNING,
            )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._warn_silent(request)
        return super().changelist_view(request, extra_context)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        self._warn_silent(request)
        return super().changeform_view(request, object_id, form_url, extra_context)


@admin.register(ItemWording)
class ItemWordingAdmin(admin.ModelAdmin):
    """Licensed English wording, entered item by item. A translation's items are not here: they are loaded
    (and replaced) whole with their file, checked, so no one edits a validated wording in place."""

    list_display = ["instrument", "item_number", "text"]
    list_filter = ["instrument"]
    fields = ["instrument", "item_number", "text"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).filter(language=ENGLISH)


# --- translations ---


class TranslationUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Translation file"),
        help_text=gettext_lazy("A JSON translation file (the README describes its fields)."),
    )


@admin.register(InstrumentTranslation)
class InstrumentTranslationAdmin(admin.ModelAdmin):
    """Loaded translations, read-only: what the patient sees and where it comes from. A clinic loads (or
    replaces) one with the upload page here or ``manage.py load_translation``; the file is checked first."""

    list_display = ["instrument", "language_label", "wording_version", "title", "loaded_by", "loaded_at"]
    list_filter = ["instrument", "language"]
    readonly_fields = (
        "instrument",
        "language_label",
        "wording_version",
        "title",
        "stem",
        "items",
        "source",
        "licence",
        "loaded_by",
        "loaded_at",
    )
    fields = readonly_fields
    change_list_template = "admin/screening/instrumenttranslation/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @transaction.atomic
    def delete_model(self, request: HttpRequest, obj: InstrumentTranslation) -> None:
        translation_remove(translation=obj, user=request.user)  # type: ignore[arg-type]

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # The list's "delete selected": one by one, so each goes with its items and is audited.
        for translation in queryset:
            self.delete_model(request, translation)

    @admin.display(description=gettext_lazy("language"))
    def language_label(self, translation: InstrumentTranslation) -> str:
        return language_name(translation.language)

    @admin.display(description=gettext_lazy("items and answers"))
    def items(self, translation: InstrumentTranslation) -> str:
        rows = translation_items(translation)
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "", "<li>{}<br><small>{}</small></li>", ((text, " · ".join(labels)) for text, labels in rows)
            ),
        )

    def get_urls(self) -> list[URLPattern]:
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="screening_instrumenttranslation_upload",
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("screening.add_instrumenttranslation"):
            raise PermissionDenied
        form = TranslationUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                data = translation_parse(upload.read(), upload.name)
                translation = translation_load(data=data, user=request.user)  # type: ignore[arg-type]
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("file", message)
            else:
                self.message_user(
                    request,
                    _("Loaded %(code)s in %(language)s (wording %(version)s).")
                    % {
                        "code": translation.instrument,
                        "language": language_name(translation.language),
                        "version": translation.wording_version,
                    },
                    messages.SUCCESS,
                )
                change = reverse("admin:screening_instrumenttranslation_change", args=[translation.pk])
                return redirect(change)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Load a validated translation"),
        }
        return TemplateResponse(request, "admin/screening/instrumenttranslation/upload.html", context)
