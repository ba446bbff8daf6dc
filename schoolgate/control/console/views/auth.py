# mypy: disallow-untyped-decorators=False
# (Django ships no type information: its view decorators are untyped to mypy.)
"""Sign-in and sign-out. Sign-in is rate limited (accounts.services) and rotates the session."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from schoolgate.control.accounts.services import RateLimited, sign_in
from schoolgate.control.console.forms import LoginForm


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_in(request, form.cleaned_data["username"], form.cleaned_data["password"])
        except RateLimited as exc:
            error, status = str(exc), 429
        else:
            if user is not None:
                login(request, user)  # a new session id: no fixation
                target = request.POST.get("next", "")
                if not url_has_allowed_host_and_scheme(
                    target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
                ):
                    target = "console:dashboard"
                return redirect(target)
            error, status = "That username and password do not match an account.", 401
    elif request.method == "POST":
        status = 400
    context = {"form": form, "error": error, "next": request.GET.get("next", "")}
    return render(request, "console/login.html", context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("console:login")
