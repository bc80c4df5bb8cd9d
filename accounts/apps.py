from django.apps import AppConfig
from django.core.checks import Tags, register


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from pmle.secretkey import check_secret_key

        register(check_secret_key, Tags.security, deploy=True)
