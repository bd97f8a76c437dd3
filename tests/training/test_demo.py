"""The demo's training and supervision: North MSK's psychologist, physio and OT trained as the issue
describes, one lapsed renewal, one record awaiting verification, and the physio's supervision enough the
month before last and too little last month, whatever day the demo is seeded on."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from teams.demo import DemoCalendar, demo_people_seed
from teams.models import User
from training import competence
from training.demo import demo_training_seed
from training.models import Level, SupervisionSession, TrainingRecord

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 12, 1, 0, 30, tzinfo=LONDON),  # the first of a month, just after midnight
        datetime(2026, 3, 31, 23, 30, tzinfo=LONDON),  # the last of a month, after the clocks went forward
        datetime(2026, 11, 18, 10, 0, tzinfo=LONDON),
    ],
    ids=str,
)
def test_the_demo_shows_training_a_lapse_and_supervision_below_the_expected_amount(db, now):
    with time_machine.travel(now, tick=False):
        calendar = DemoCalendar.at(now)
        demo_people_seed(calendar, patients=12)
        count = demo_training_seed(calendar)
        assert demo_training_seed(calendar) == count == TrainingRecord.objects.count() == 10
        assert SupervisionSession.objects.count() == 3

        today = calendar.today
        psych, physio, ot = (User.objects.get(username=name) for name in ("psych", "physio", "ot"))
        assert competence.levels_of(psych, on=today) == {
            code: Level.INDEPENDENT
            for code in (
                "cbt-informed-practice",
                "motivational-interviewing",
                "graded-exposure",
                "suicide-risk-assessment",
                "acceptance-commitment-therapy",
            )
        }
        assert competence.levels_of(physio, on=today) == {
            "pain-neuroscience-education": Level.TRAINED,
            "psychologically-informed-physiotherapy": Level.TRAINED,
            "cbt-informed-practice": Level.UNDER_SUPERVISION,
            "motivational-interviewing": Level.UNDER_SUPERVISION,
        }
        assert competence.levels_of(ot, on=today) == {"workplace-return-to-work": Level.INDEPENDENT}

        lapsed = TrainingRecord.objects.get(renews_on__lt=today)
        assert (lapsed.user, lapsed.competency.code, lapsed.level) == (
            physio,
            "motivational-interviewing",
            Level.UNDER_SUPERVISION,
        )
        waiting = TrainingRecord.objects.get(verified_at__isnull=True)
        assert (waiting.user, waiting.competency.code) == (physio, "psychologically-informed-physiotherapy")

        last = competence.last_full_month(today)
        assert competence.supervision_minutes(physio, month=competence.last_full_month(last)) == 75
        assert competence.supervision_minutes(physio, month=last) == 30 < competence.expected_minutes(physio)
        assert not competence.supervision_up_to_date(physio, on=today)
        assert competence.competence_gaps(physio, ["motivational-interviewing"], on=today) == [
            "motivational-interviewing"
        ]
