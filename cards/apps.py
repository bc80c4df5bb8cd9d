from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CardsConfig(AppConfig):
    name = "cards"

    def ready(self) -> None:
        from cards.content import after_migrate

        post_migrate.connect(after_migrate, sender=self, dispatch_uid="cards-content-triggers")
