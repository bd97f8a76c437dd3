"""factory_boy factories for training records and supervision."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import factory

from training.models import Competency, Level, SupervisionSession, TrainingRecord

from ..factories import UserFactory

LONDON = ZoneInfo("Europe/London")


def competency(code: str) -> Competency:
    """A seeded competency (the data migration made them)."""
    return Competency.objects.get(code=code)


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    user = factory.SubFactory(UserFactory)
    competency = factory.LazyFunction(lambda: competency("motivational-interviewing"))
    course_or_evidence = "Two-day MI course, certificate on file"
    completed_on = date(2026, 1, 10)
    level = Level.TRAINED
    created_by = factory.SelfAttribute("user")


class SupervisionSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupervisionSession
        skip_postgeneration_save = True

    supervisor = factory.SubFactory(UserFactory)
    held_at = datetime(2026, 11, 10, 14, 0, tzinfo=LONDON)
    minutes = 60
    format = SupervisionSession.Format.INDIVIDUAL
    recorded_by = factory.SelfAttribute("supervisor")

    @factory.post_generation
    def supervisees(self, create, extracted, **kwargs):
        if create and extracted:
            self.supervisees.set(extracted)
