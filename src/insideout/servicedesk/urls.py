from django.urls import path

from insideout.servicedesk import views

app_name = "servicedesk"

urlpatterns = [
    path("requests/<str:prefix>-<int:number>/", views.request_detail, name="request"),
]
