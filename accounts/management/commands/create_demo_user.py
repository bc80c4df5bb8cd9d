from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "pmle-demo-2020"


class Command(BaseCommand):
    help = "Create a local demo account (development only) and print its login."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("The demo account is for local development only (DJANGO_DEBUG=1).")
        user, created = User.objects.get_or_create(username=DEMO_USERNAME)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo account: username '{DEMO_USERNAME}', password '{DEMO_PASSWORD}'"
                + ("" if created else " (already existed; its password was left as it was)")
            )
        )
