"""The ceiling for `make bench`: a bare Django "hello" view with no middleware, served by the same gunicorn settings
as the app (``gunicorn -c gunicorn.conf.py scripts.bench_hello:application``). Not part of the site."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"hello", content_type="text/plain")


urlpatterns = [path("", hello)]

settings.configure(
    DEBUG=False,
    SECRET_KEY=secrets.token_urlsafe(50),
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["127.0.0.1"],
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_TZ=True,
)
application = get_wsgi_application()
