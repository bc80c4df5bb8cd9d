from django.contrib import admin
from django.urls import include, path, register_converter

from pmle.converters import IdConverter, IdListConverter

register_converter(IdConverter, "id")  # before the apps' url modules, which use them, are included
register_converter(IdListConverter, "ids")

admin.site.site_header = "PMLE Cards administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("groups/", include("accounts.group_urls")),
    path("decks/", include("cards.deck_urls")),
    path("exams/", include("exams.urls")),
    path("", include("cards.urls")),
]
