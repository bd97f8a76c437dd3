"""The patient's check-in form (their link's page): input cleaning, and every word a patient reads of
it through gettext, translated in each language we ship (core.i18n.PATIENT_FACING lists this file)."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy, pgettext_lazy

from careplans.models import Activity, Exercise

from .models import ExerciseLog

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise  # words translated when shown


def _scale(label: "str | StrPromise") -> forms.IntegerField:
    """A 0–10 slider. It starts unset (checkin.js names it only once the patient moves or taps it), so an
    untouched slider sends nothing and is asked again, never stored as the middle of the scale."""
    return forms.IntegerField(
        min_value=0,
        max_value=10,
        label=label,
        error_messages={"required": gettext_lazy("Move the slider to your answer: it has not been set yet.")},
    )


# How far an exercise or activity was done, in the patient's words (the models' labels are the staff's).
DONE_CHOICES = [
    (ExerciseLog.Done.DONE, pgettext_lazy("exercise or activity", "Done")),
    (ExerciseLog.Done.PARTLY, pgettext_lazy("exercise or activity", "Partly")),
    (ExerciseLog.Done.NOT_DONE, pgettext_lazy("exercise or activity", "Not done")),
]


class CheckInForm(forms.Form):
    """The patient's check-in: every word of it is the patient's language (gettext_lazy)."""

    mood = _scale(gettext_lazy("How is your mood today?"))
    pain = _scale(gettext_lazy("How bad is your pain today?"))
    sleep_quality = _scale(gettext_lazy("How well did you sleep?"))
    sleep_hours = forms.DecimalField(
        min_value=0,
        max_value=24,
        decimal_places=1,
        label=gettext_lazy("Hours slept last night"),
        error_messages={"required": gettext_lazy("Write how many hours you slept, for example 7 or 6.5.")},
        widget=forms.NumberInput(
            attrs={"inputmode": "decimal", "step": "0.5", "class": "form-control form-control-lg"}
        ),
    )
    # What each end of a slider means, shown under it.
    SCALE_ENDS = {
        "mood": (gettext_lazy("Very low"), gettext_lazy("Very good")),
        "pain": (gettext_lazy("No pain"), gettext_lazy("Worst pain imaginable")),
        "sleep_quality": (gettext_lazy("Very badly"), gettext_lazy("Very well")),
    }

    stressors = forms.CharField(
        required=False,
        max_length=1000,
        label=gettext_lazy("Anything weighing on you?"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def __init__(
        self, *args: Any, exercises: list[Exercise], activities: list[Activity] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.exercises = exercises
        # Behavioural activation: the activities planned for the day, ticked like the exercises.
        self.activities = activities or []
        for activity in self.activities:
            self.fields[f"activity_{activity.pk}"] = forms.ChoiceField(
                label=activity.name,
                choices=DONE_CHOICES,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                required=False,
            )
        for exercise in exercises:
            self.fields[f"exercise_{exercise.pk}"] = forms.ChoiceField(
                label=exercise.name,
                choices=DONE_CHOICES,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                required=False,
                help_text=exercise.lighter_alternative,
            )

    def answers(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in ("mood", "pain", "sleep_quality", "sleep_hours", "stressors")
        }

    def exercise_answers(self) -> dict[int, str]:
        return {
            exercise.pk: self.cleaned_data[f"exercise_{exercise.pk}"]
            for exercise in self.exercises
            if self.cleaned_data.get(f"exercise_{exercise.pk}")
        }

    def scales(self) -> list[tuple[forms.BoundField, "str | StrPromise", "str | StrPromise"]]:
        """Each slider with the words for its two ends."""
        return [(self[name], low, high) for name, (low, high) in self.SCALE_ENDS.items()]

    def exercise_fields(self) -> list[tuple[Exercise, forms.BoundField]]:
        return [(exercise, self[f"exercise_{exercise.pk}"]) for exercise in self.exercises]

    # --- activation ---

    def activity_answers(self) -> dict[int, str]:
        return {
            activity.pk: self.cleaned_data[f"activity_{activity.pk}"]
            for activity in self.activities
            if self.cleaned_data.get(f"activity_{activity.pk}")
        }

    def activity_fields(self) -> list[tuple[Activity, forms.BoundField]]:
        return [(activity, self[f"activity_{activity.pk}"]) for activity in self.activities]
