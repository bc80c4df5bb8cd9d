from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "PMLE Cards administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("groups/", include("accounts.group_urls")),
    path("decks/", include("cards.deck_urls")),
    path("", include("cards.urls")),
]
