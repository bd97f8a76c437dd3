"""Clinic admins edit batteries, the clinic's thresholds and licensed item wording here.

Screenings and alerts are not edited here: results are immutable and alerts close
through their own loop on the patient's pages.
"""

from django import forms
from django.contrib import admin
from django.contrib.postgres.forms import SimpleArrayField

from .models import Battery, InstrumentSetting, ItemWording


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


@admin.register(InstrumentSetting)
class InstrumentSettingAdmin(admin.ModelAdmin):
    list_display = ["instrument", "high_cutoff", "mcid", "rc"]


@admin.register(ItemWording)
class ItemWordingAdmin(admin.ModelAdmin):
    list_display = ["instrument", "item_number", "text"]
    list_filter = ["instrument"]
