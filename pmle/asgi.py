import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmle.settings")
application = get_asgi_application()

from pmle.secretkey import refuse_weak_key  # noqa: E402 - needs the settings configured above

refuse_weak_key()  # a server never starts with a key anyone could know
