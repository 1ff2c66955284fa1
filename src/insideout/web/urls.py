from django.contrib.auth import views as auth_views
from django.urls import include, path

from insideout.people.forms import FirstPasswordResetForm
from insideout.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
]

# Sign-in pages keep Django's names (login, logout, password_reset…) outside the namespace.
auth_patterns = [
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(form_class=FirstPasswordResetForm),
        name="password_reset",
    ),
    path("accounts/password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

site_patterns = [
    path("", include((urlpatterns, "web"))),
    *auth_patterns,
    path("", include("insideout.people.urls")),
    path("", include("insideout.notifications.urls")),
    path("", include("insideout.servicedesk.urls")),
    path("", include("insideout.recognition.urls")),
]
