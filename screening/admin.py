"""Clinic admins edit batteries, the clinic's thresholds and licensed item wording here.

Screenings and alerts are not edited here: results are immutable and alerts close
through their own loop on the patient's pages.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.postgres.forms import SimpleArrayField
from django.http import HttpRequest, HttpResponse

from .instruments import INSTRUMENTS
from .models import Battery, InstrumentSetting, ItemWording
from .selectors import silent_instruments


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
    list_display = ["instrument", "item_number", "text"]
    list_filter = ["instrument"]
