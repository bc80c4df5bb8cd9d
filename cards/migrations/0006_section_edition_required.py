import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cards", "0005_existing_data_is_the_2020_edition")]

    operations = [
        migrations.AlterField(
            model_name="section",
            name="edition",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="sections", to="cards.edition"
            ),
        ),
    ]
