from django.urls import path

from insideout.people import views

app_name = "people"

urlpatterns = [
    path("people/", views.search, name="search"),
    path("people/<int:employee_id>/", views.person, name="person"),
    path("people/<int:employee_id>/card/", views.card, name="card"),
    path("units/", views.units, name="units"),
    path("units/<int:unit_id>/", views.unit, name="unit"),
    path("units/<int:unit_id>/children/", views.unit_children, name="unit-children"),
    path("me/profile/", views.my_profile, name="my-profile"),
    path("me/tokens/", views.my_tokens, name="my-tokens"),
    path("me/tokens/<int:token_id>/revoke/", views.my_token_revoke, name="my-token-revoke"),
    path("people/import/", views.import_file, name="import"),
]
