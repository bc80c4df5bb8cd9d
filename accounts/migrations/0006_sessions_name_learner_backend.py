"""Signed-in sessions named Django's ModelBackend; they now name accounts.backends.LearnerBackend, which replaced it
in AUTHENTICATION_BACKENDS. Django logs a session out when the backend it names is no longer listed, so each one is
rewritten to name the new backend: nobody is signed out by the change. Sessions that do not decode (signed with an
earlier secret key) are left as they are: Django ignores them anyway."""

from importlib import import_module

from django.conf import settings
from django.db import migrations

OLD, NEW = "django.contrib.auth.backends.ModelBackend", "accounts.backends.LearnerBackend"
BACKEND_KEY = "_auth_user_backend"  # django.contrib.auth.BACKEND_SESSION_KEY


def rename(old: str, new: str):
    def run(apps, schema_editor):
        Session = apps.get_model("sessions", "Session")
        store = import_module(settings.SESSION_ENGINE).SessionStore()
        for session in Session.objects.using(schema_editor.connection.alias).iterator():
            data = store.decode(session.session_data)  # {} when it does not decode
            if data.get(BACKEND_KEY) == old:
                data[BACKEND_KEY] = new
                session.session_data = store.encode(data)
                session.save(update_fields=["session_data"])

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_scheduler_choice"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(rename(OLD, NEW), rename(NEW, OLD))]
