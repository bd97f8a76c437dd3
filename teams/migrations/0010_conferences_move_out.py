"""Case conferences move to their own app (``conferences``). Here only Django's idea of the models is
dropped: the tables and their rows stay, and ``conferences.0001`` takes them over as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0009_audit_seal_as_owner"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="agendaitem",
                    name="added_by",
                ),
                migrations.RemoveField(
                    model_name="agendaitem",
                    name="conference",
                ),
                migrations.RemoveField(
                    model_name="agendaitem",
                    name="patient",
                ),
                migrations.RemoveField(
                    model_name="conferencenote",
                    name="item",
                ),
                migrations.RemoveField(
                    model_name="caseconference",
                    name="attendees",
                ),
                migrations.RemoveField(
                    model_name="caseconference",
                    name="chair",
                ),
                migrations.RemoveField(
                    model_name="caseconference",
                    name="closed_by",
                ),
                migrations.RemoveField(
                    model_name="caseconference",
                    name="team",
                ),
                migrations.RemoveField(
                    model_name="conferencenote",
                    name="author",
                ),
                migrations.RemoveField(
                    model_name="noteamendment",
                    name="note",
                ),
                migrations.RemoveField(
                    model_name="conferenceseries",
                    name="chair",
                ),
                migrations.RemoveField(
                    model_name="conferenceseries",
                    name="team",
                ),
                migrations.RemoveField(
                    model_name="noteamendment",
                    name="author",
                ),
                migrations.DeleteModel(
                    name="ActionItem",
                ),
                migrations.DeleteModel(
                    name="AgendaItem",
                ),
                migrations.DeleteModel(
                    name="CaseConference",
                ),
                migrations.DeleteModel(
                    name="ConferenceNote",
                ),
                migrations.DeleteModel(
                    name="ConferenceSeries",
                ),
                migrations.DeleteModel(
                    name="NoteAmendment",
                ),
            ],
            database_operations=[],
        ),
    ]
