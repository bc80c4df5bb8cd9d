from django.db import migrations, models


def install(apps, schema_editor):
    from cards.content import install_triggers

    install_triggers(schema_editor.connection)


def drop(apps, schema_editor):
    from cards.content import drop_triggers

    drop_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    """The content version, and the database triggers that change it with the exam content (cards/content.py)."""

    dependencies = [
        ("cards", "0019_card_images"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(install, drop),
    ]
