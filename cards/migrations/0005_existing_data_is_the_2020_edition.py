"""Everything that existed before editions is the 2020 guide: its taxonomy, its official deck and its learners.

Learners who already studied stay on the 2020 exam until they choose (the home page invites them once); accounts
made from now on start on the current edition. A fresh database has nothing to move: the loader creates both
editions from the files.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Edition = apps.get_model("cards", "Edition")
    Section = apps.get_model("cards", "Section")
    Deck = apps.get_model("cards", "Deck")
    User = apps.get_model("accounts", "User")
    if not Section.objects.exists() and not Deck.objects.filter(owner__isnull=True).exists():
        return
    edition, _ = Edition.objects.get_or_create(
        slug="pmle-2020", defaults={"title": "PMLE exam guide (2020)", "year": 2020, "is_current": False}
    )
    Section.objects.filter(edition__isnull=True).update(edition=edition)
    Deck.objects.filter(owner__isnull=True, edition__isnull=True).update(edition=edition)
    User.objects.filter(exam_edition__isnull=True).update(exam_edition=edition)


class Migration(migrations.Migration):
    dependencies = [("cards", "0004_exam_editions"), ("accounts", "0003_exam_editions")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
