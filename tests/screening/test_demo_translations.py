"""The demo loads the Polish PHQ-9 we ship (GAD-7 and PCS stay unloaded): its Polish-speaking
patients get PHQ-9 by link in Polish and the "administer with an interpreter" warning for the rest."""

from datetime import UTC, datetime

from checkins.selectors import translation_gaps
from screening.batteries import batteries_ensure
from screening.demo import demo_translations_seed
from screening.models import Battery, InstrumentTranslation, ItemWording
from screening.selectors import instruments_by_link
from teams.demo import DemoCalendar, demo_people_seed
from teams.models import Language, Patient, User

CALENDAR = DemoCalendar.at(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))


def test_the_demo_loads_the_polish_phq9_once_and_only_it(db):
    demo_people_seed(CALENDAR, patients=40)
    batteries_ensure(Battery)

    assert demo_translations_seed(CALENDAR) == 1
    assert demo_translations_seed(CALENDAR) == 1  # again: replaced by the same, nothing doubled

    translation = InstrumentTranslation.objects.get()
    assert (translation.instrument, translation.language) == ("PHQ-9", "pl")
    assert translation.loaded_by == User.objects.get(username="admin")
    assert ItemWording.objects.filter(language="pl").count() == 9
    polish = Patient.objects.filter(language=Language.POLISH)
    assert polish.exists()
    for patient in polish:
        available, missing = instruments_by_link(patient=patient, codes=["PHQ-9", "GAD-7", "PCS"])
        assert [i.code for i in available] == ["PHQ-9"]
        assert [i.code for i in missing] == ["GAD-7", "PCS"]
        gaps = translation_gaps(patient=patient)
        assert gaps is not None and gaps.language == "Polish"
        assert "PHQ-9" not in [i.code for i in gaps.instruments]
