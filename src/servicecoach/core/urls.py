from django.contrib.auth import views as auth_views
from django.urls import path

from servicecoach.core import accounts, views

urlpatterns = [
    path("", views.home, name="home"),
    # Not redirect_authenticated_user: with a decorator that sends a signed-in user without the
    # permission to the login page, it would loop; the page instead says to log in with another account.
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=accounts.LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        # Our own template names: django.contrib.admin ships registration/password_change_*.html too.
        auth_views.PasswordChangeView.as_view(template_name="core/password_change_form.html"),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="core/password_change_done.html"),
        name="password_change_done",
    ),
    # Forgotten password: a link by e-mail (Django's flow with our forms and templates; see core.accounts).
    path("accounts/password/reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", accounts.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/", accounts.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/password/reset/done/", accounts.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
]
