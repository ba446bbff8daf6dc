# mypy: disallow-untyped-decorators=False, disallow-subclassing-any=False
# (Django ships no type information: its decorators and base classes are untyped to mypy.)
"""The roster import page: upload a OneRoster zip, then watch the job until its summary or its
file:line problems. The page refreshes itself (<meta http-equiv="refresh">), so it needs no
JavaScript; the import is `imports.services`, the same checks and writes as the CLI."""

from __future__ import annotations

import zipfile

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from schoolgate.control.access.scope import may
from schoolgate.control.imports import services
from schoolgate.control.imports.models import ImportJob

REFRESH_SECONDS = 2


class UploadForm(forms.Form):
    roster = forms.FileField(
        label="OneRoster export (.zip)",
        help_text="OneRoster 1.1 or 1.2 CSV files with their manifest.csv, zipped.",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )


def _may_import(request: HttpRequest) -> None:
    if not may(request.user, "import-roster"):
        raise PermissionDenied("rosters are imported by administrators and technology managers")


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    message = f"The file is larger than the upload limit of {limit // (1024 * 1024)} MB."
    context = {"title": "Not imported", "message": message}
    return render(request, "console/message.html", context, status=413)


@login_required
@require_http_methods(["GET", "POST"])
def roster_import(request: HttpRequest) -> HttpResponse:
    _may_import(request)
    limit = services.upload_limit()
    # Refuse an oversized body from its header, before it is read.
    if request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > limit + 65536:
        return _too_large(request, limit)
    form = UploadForm(request.POST or None, request.FILES or None)
    error, status = "", 200
    if request.method == "POST":
        if not form.is_valid():
            error, status = "Choose a OneRoster .zip file to upload.", 400
        else:
            upload = form.cleaned_data["roster"]
            if upload.size > limit:
                return _too_large(request, limit)
            if not zipfile.is_zipfile(upload):
                error, status = "That file is not a zip archive; nothing was imported.", 400
            else:
                upload.seek(0)
                job = services.create_job(upload, request.user)
                services.start(job)
                return redirect("console:roster-import-job", pk=job.pk)
    context = {
        "form": form,
        "error": error,
        "limit_mb": limit // (1024 * 1024),
        "jobs": ImportJob.objects.select_related("started_by")[:20],
    }
    return render(request, "console/roster_import.html", context, status=status)


@login_required
def roster_import_job(request: HttpRequest, pk: int) -> HttpResponse:
    _may_import(request)
    job = ImportJob.objects.filter(pk=pk).select_related("started_by").first()
    if job is None:
        raise Http404("no such import")
    progress = None if job.finished else services.live(job.pk)
    counts = [
        {"file": name, **values} for name, values in (job.counts or {}).items()
    ]  # file order as written
    context = {
        "job": job,
        "progress": progress,
        "refresh": None if job.finished else REFRESH_SECONDS,
        "counts": counts,
        "more_problems": max(0, job.problem_count - len(job.problems or [])),
    }
    return render(request, "console/roster_import_job.html", context)
