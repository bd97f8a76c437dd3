"""The case-conference models, moved here from ``teams`` with their tables and rows as they were (the
tables keep their ``teams_`` names until ``0002`` renames them). The content types move with them, so
permissions and the admin's log keep pointing at the same rows."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ["actionitem", "agendaitem", "caseconference", "conferencenote", "conferenceseries", "noteamendment"]


def content_types_follow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="teams", model__in=MOVED).update(app_label="conferences")


def content_types_return(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="conferences", model__in=MOVED).update(app_label="teams")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("teams", "0010_conferences_move_out"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CaseConference",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("starts_at", models.DateTimeField(verbose_name="date and time")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("planned", "Planned"),
                                    ("in_progress", "In progress"),
                                    ("closed", "Closed"),
                                ],
                                default="planned",
                                max_length=16,
                            ),
                        ),
                        ("agenda_since", models.DateTimeField(blank=True, null=True)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("closed_at", models.DateTimeField(blank=True, null=True)),
                        ("summary_sent_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "attendees",
                            models.ManyToManyField(
                                blank=True, related_name="conferences", to=settings.AUTH_USER_MODEL
                            ),
                        ),
                        (
                            "chair",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "closed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "team",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="conferences",
                                to="teams.team",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "teams_caseconference",
                        "ordering": ["-starts_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="AgendaItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("position", models.PositiveIntegerField(default=0)),
                        ("reasons", models.JSONField(blank=True, default=list)),
                        ("discussed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "added_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="teams.patient",
                            ),
                        ),
                        (
                            "conference",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="items",
                                to="conferences.caseconference",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "teams_agendaitem",
                        "ordering": ["position", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="ActionItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("description", models.CharField(max_length=300)),
                        ("due_on", models.DateField(verbose_name="due")),
                        (
                            "status",
                            models.CharField(
                                choices=[("open", "Open"), ("done", "Done")], default="open", max_length=8
                            ),
                        ),
                        ("part_id", models.PositiveBigIntegerField(blank=True, null=True)),
                        ("plan_change", models.CharField(blank=True, max_length=300)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("done_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "done_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="actions",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "part_type",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="contenttypes.contenttype",
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="conference_actions",
                                to="teams.patient",
                            ),
                        ),
                        (
                            "item",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="actions",
                                to="conferences.agendaitem",
                            ),
                        ),
                        (
                            "conference",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="actions",
                                to="conferences.caseconference",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "teams_actionitem",
                        "ordering": ["due_on", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="ConferenceNote",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("physical", models.TextField(blank=True)),
                        ("psychological", models.TextField(blank=True)),
                        ("social", models.TextField(blank=True)),
                        (
                            "patient_perspective",
                            models.TextField(blank=True, verbose_name="patient's perspective"),
                        ),
                        ("decisions", models.TextField(blank=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("locked", models.BooleanField(default=False)),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "item",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="note",
                                to="conferences.agendaitem",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "teams_conferencenote",
                    },
                ),
                migrations.CreateModel(
                    name="ConferenceSeries",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "weekday",
                            models.PositiveSmallIntegerField(
                                choices=[
                                    (0, "Monday"),
                                    (1, "Tuesday"),
                                    (2, "Wednesday"),
                                    (3, "Thursday"),
                                    (4, "Friday"),
                                    (5, "Saturday"),
                                    (6, "Sunday"),
                                ],
                                default=3,
                            ),
                        ),
                        (
                            "local_time",
                            models.TimeField(help_text="In the clinic's time zone.", verbose_name="time"),
                        ),
                        (
                            "every_weeks",
                            models.PositiveSmallIntegerField(
                                default=1,
                                help_text="weeks",
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(8),
                                ],
                                verbose_name="every",
                            ),
                        ),
                        (
                            "active",
                            models.BooleanField(
                                default=True, help_text="Plan the next conference by itself."
                            ),
                        ),
                        (
                            "exercise_below",
                            models.PositiveSmallIntegerField(
                                default=60,
                                validators=[django.core.validators.MaxValueValidator(100)],
                                verbose_name="exercise completion below (%)",
                            ),
                        ),
                        (
                            "attendance_below",
                            models.PositiveSmallIntegerField(
                                default=70,
                                validators=[django.core.validators.MaxValueValidator(100)],
                                verbose_name="attendance below (%)",
                            ),
                        ),
                        (
                            "adherence_days",
                            models.PositiveSmallIntegerField(
                                default=14,
                                help_text="Whole weeks (7, 14, 21...) before the current one: home exercise is logged by the week.",
                                validators=[
                                    django.core.validators.MinValueValidator(7),
                                    django.core.validators.MaxValueValidator(84),
                                ],
                                verbose_name="adherence measured over (days)",
                            ),
                        ),
                        (
                            "checkin_silence_days",
                            models.PositiveSmallIntegerField(
                                default=7,
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(60),
                                ],
                                verbose_name="no check-in for (days)",
                            ),
                        ),
                        (
                            "chair",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "team",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="conference_series",
                                to="teams.team",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "conference series",
                        "db_table": "teams_conferenceseries",
                    },
                ),
                migrations.CreateModel(
                    name="NoteAmendment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("text", models.TextField()),
                        ("at", models.DateTimeField(auto_now_add=True)),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "note",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="amendments",
                                to="conferences.conferencenote",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "teams_noteamendment",
                        "ordering": ["at", "id"],
                    },
                ),
                migrations.AddIndex(
                    model_name="caseconference",
                    index=models.Index(fields=["team", "status", "starts_at"], name="conference_team_status"),
                ),
                migrations.AddConstraint(
                    model_name="caseconference",
                    constraint=models.UniqueConstraint(
                        fields=("team", "starts_at"), name="conference_unique_team_start"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="agendaitem",
                    constraint=models.UniqueConstraint(
                        fields=("conference", "patient"), name="agenda_item_unique_patient"
                    ),
                ),
                migrations.AddIndex(
                    model_name="actionitem",
                    index=models.Index(fields=["owner", "status", "due_on"], name="action_owner_status"),
                ),
                migrations.AddIndex(
                    model_name="actionitem",
                    index=models.Index(fields=["patient", "status"], name="action_patient_status"),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_follow, content_types_return),
    ]
