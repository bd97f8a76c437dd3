from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("checkins", "0009_delivery_and_fallback")]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="body_sha256",
            field=models.CharField(
                blank=True,
                help_text="The body's hash: how a provider that keeps no reference of ours (Twilio) is searched.",
                max_length=64,
            ),
        ),
    ]
