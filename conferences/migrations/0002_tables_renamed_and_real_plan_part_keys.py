"""The conference tables take the app's name, and an action's care-plan part becomes a real foreign key.

``ActionItem.part`` was a generic relation (content type + id) with no integrity: it now points at the
plan, a milestone or a responsibility through one of three nullable foreign keys (at most one set).
Existing actions keep their part; a part that no longer exists is left unset (its one-line summary,
``plan_change``, still says what the action did). The renames keep every row, index and trigger."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F

PARTS = {"plan": "careplan", "milestone": "milestone", "responsibility": "responsibility"}


def part_keys_from_generic(apps, schema_editor):
    ActionItem = apps.get_model("conferences", "ActionItem")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for field, model_name in PARTS.items():
        content_type = ContentType.objects.filter(app_label="careplans", model=model_name).first()
        if content_type is None:
            continue
        existing = apps.get_model("careplans", model_name).objects.values("pk")
        ActionItem.objects.filter(part_type=content_type, part_id__in=existing).update(
            **{f"{field}_id": F("part_id")}
        )


def part_keys_to_generic(apps, schema_editor):
    ActionItem = apps.get_model("conferences", "ActionItem")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for field, model_name in PARTS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="careplans", model=model_name)
        ActionItem.objects.filter(**{f"{field}__isnull": False}).update(
            part_type=content_type, part_id=F(f"{field}_id")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("careplans", "0002_standard_templates"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("conferences", "0001_moved_from_teams"),
        ("teams", "0010_conferences_move_out"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="actionitem",
            name="milestone",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="conference_actions",
                to="careplans.milestone",
            ),
        ),
        migrations.AddField(
            model_name="actionitem",
            name="plan",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="conference_actions",
                to="careplans.careplan",
            ),
        ),
        migrations.AddField(
            model_name="actionitem",
            name="responsibility",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="conference_actions",
                to="careplans.responsibility",
            ),
        ),
        migrations.RunPython(part_keys_from_generic, part_keys_to_generic),
        migrations.RemoveField(
            model_name="actionitem",
            name="part_id",
        ),
        migrations.RemoveField(
            model_name="actionitem",
            name="part_type",
        ),
        migrations.AddConstraint(
            model_name="actionitem",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("milestone__isnull", True), ("plan__isnull", True)),
                    models.Q(("plan__isnull", True), ("responsibility__isnull", True)),
                    models.Q(("milestone__isnull", True), ("responsibility__isnull", True)),
                    _connector="OR",
                ),
                name="action_changes_at_most_one_part",
            ),
        ),
        migrations.AlterModelTable(
            name="actionitem",
            table=None,
        ),
        migrations.AlterModelTable(
            name="agendaitem",
            table=None,
        ),
        migrations.AlterModelTable(
            name="caseconference",
            table=None,
        ),
        migrations.AlterModelTable(
            name="conferencenote",
            table=None,
        ),
        migrations.AlterModelTable(
            name="conferenceseries",
            table=None,
        ),
        migrations.AlterModelTable(
            name="noteamendment",
            table=None,
        ),
    ]
