"""The console's pages."""

from __future__ import annotations

from django.urls import path

from schoolgate.control.console.views import (
    accesslog,
    auth,
    consents,
    dashboard,
    people,
    sanctions,
    signing,
)

app_name = "console"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("people/", people.directory, name="people"),
    path("people/<str:sourced_id>/", people.person_detail, name="person"),
    path("people/<str:sourced_id>/suspend/", sanctions.suspend_view, name="suspend"),
    path("sign/", signing.sign_index, name="sign-index"),
    path("sign/<str:sourced_id>/", signing.sign_page, name="sign"),
    path("consents/", consents.consent_index, name="consent-index"),
    path("consents/<str:sourced_id>/", consents.consent_page, name="consent"),
    path("sanctions/", sanctions.sanction_list, name="sanctions"),
    path("sanctions/<int:pk>/lift/", sanctions.lift_view, name="lift"),
    path("access-log/", accesslog.access_log, name="access-log"),
]
