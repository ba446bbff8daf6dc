"""The console's pages."""

from __future__ import annotations

from django.urls import path

from schoolgate.control.console.views import (
    accesslog,
    accounts,
    activity,
    auth,
    classes,
    consents,
    dashboard,
    incidents,
    people,
    reviews,
    roster_import,
    sanctions,
    signing,
)

app_name = "console"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("login/oidc/<str:provider_id>/", auth.oidc_start, name="oidc-start"),
    path("login/oidc/<str:provider_id>/callback/", auth.oidc_callback, name="oidc-callback"),
    path("people/", people.directory, name="people"),
    path("people/<str:sourced_id>/", people.person_detail, name="person"),
    path("people/<str:sourced_id>/suspend/", sanctions.suspend_view, name="suspend"),
    path("people/<str:sourced_id>/sign-in/unbind/", accounts.oidc_unbind, name="oidc-unbind"),
    path("classes/", classes.class_list, name="classes"),
    path("classes/<int:pk>/", classes.class_detail, name="class"),
    path("sign/", signing.sign_index, name="sign-index"),
    path("sign/<str:sourced_id>/", signing.sign_page, name="sign"),
    path("consents/", consents.consent_index, name="consent-index"),
    path("consents/<str:sourced_id>/", consents.consent_page, name="consent"),
    path("sanctions/", sanctions.sanction_list, name="sanctions"),
    path("sanctions/<int:pk>/lift/", sanctions.lift_view, name="lift"),
    path("access-log/", accesslog.access_log, name="access-log"),
    path("incidents/", incidents.incident_list, name="incidents"),
    path("incidents/new/", incidents.incident_new, name="incident-new"),
    path("incidents/<int:pk>/", incidents.incident_detail, name="incident"),
    path("incidents/<int:pk>/assign/", incidents.incident_assign, name="incident-assign"),
    path("incidents/<int:pk>/resolve/", incidents.incident_resolve, name="incident-resolve"),
    path("incidents/<int:pk>/suspend/", incidents.incident_suspend, name="incident-suspend"),
    path("roster/import/", roster_import.roster_import, name="roster-import"),
    path("roster/import/<int:pk>/", roster_import.roster_import_job, name="roster-import-job"),
    path("events/", activity.event_log, name="events"),
    path("events.csv", activity.event_export, name="events-csv"),
    path("reviews/", reviews.review_list, name="reviews"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review"),
    path("reviews/<int:pk>/approve/", reviews.approve_view, name="review-approve"),
    path("reviews/<int:pk>/decline/", reviews.decline_view, name="review-decline"),
    path("exceptions/", reviews.exception_list, name="exceptions"),
    path("exceptions/<int:pk>/revoke/", reviews.revoke_view, name="exception-revoke"),
]
