"""Top-level URLs. Every patient-scoped URL takes ``<int:patient_id>`` and a ``patient_scoped`` view."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from teams import two_factor
from teams.views import healthz, logout_everywhere, session_keepalive

handler500 = "core.errors.server_error"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="patient_list"), name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}favicon.svg", permanent=True)),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("logout/everywhere/", logout_everywhere, name="logout_everywhere"),
    path("session/keepalive/", session_keepalive, name="session_keepalive"),
    # The djangojs catalogue (gettext, ngettext, interpolate) for static/js, in the page's language.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("2fa/setup/", two_factor.two_factor_setup, name="two_factor_setup"),
    path("2fa/verify/", two_factor.two_factor_verify, name="two_factor_verify"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("rehabcare.api_urls")),
    path("fhir/", include("rehabcare.fhir_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("", include("teams.urls")),
    path("", include("screening.urls")),
    path("", include("careplans.urls")),
    path("", include("routing.urls")),
    path("", include("checkins.urls")),
    path("", include("adherence.urls")),
    path("", include("conferences.urls")),
    path("", include("training.urls")),
]
