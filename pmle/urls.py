from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "PMLE Cards administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("cards.urls")),
]
