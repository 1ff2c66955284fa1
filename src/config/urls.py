from django.contrib import admin
from django.urls import include, path

from insideout.api.urls import api
from insideout.web.urls import site_patterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    *site_patterns,
]
