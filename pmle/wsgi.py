import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmle.settings")
application = get_wsgi_application()

from pmle.secretkey import refuse_weak_key  # noqa: E402 - needs the settings configured above

refuse_weak_key()  # a server (gunicorn, runserver) never starts with a key anyone could know
