# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""Run an uploaded roster through the same code as `schoolgate roster import`, in a thread.

Why a thread and a job row: a district's import takes longer than a browser waits for an
answer, so the upload returns at once and the status page polls the job. The import is the
CLI's: read and check everything (`people.roster.load_roster`), then write it in one
transaction (`write_roster`) — a roster with any problem, or an import that fails half way,
changes nothing. Imports run one at a time (`RUNNING`): two bulk imports at once would each
deactivate what the other wrote.

Live progress (the file being written and its rows) lives in this process's memory, because the
job row cannot change inside the import's transaction; the row records each stage and the end.
The uploaded file is deleted once the import ends: it holds the whole district's roster."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import connection
from django.utils import timezone

from schoolgate.control.imports.models import ImportJob
from schoolgate.control.people.oneroster.problems import RosterError
from schoolgate.control.people.roster import load_roster, write_roster

log = logging.getLogger(__name__)

RUNNING = threading.Lock()  # one import at a time in this process
MAX_PROBLEMS = 500  # stored and shown; the count says how many there were in all


@dataclass
class Live:
    """What a running import is doing now, for the status page."""

    stage: str = "waiting for the import before it to finish"
    entity: str = ""
    done: dict[str, int] = field(default_factory=dict)  # file → rows written so far

    @property
    def rows_done(self) -> int:
        return sum(self.done.values())


_live: dict[int, Live] = {}
_live_lock = threading.Lock()


def upload_limit() -> int:
    """Bytes an upload may have (`SCHOOLGATE_ROSTER_UPLOAD_MB`, settings.py)."""
    return int(getattr(settings, "ROSTER_UPLOAD_MAX_BYTES", 200 * 1024 * 1024))


def _upload_path(pk: int) -> Path:
    return Path(settings.DATA_DIR) / "imports" / f"{pk}.zip"


def create_job(upload: UploadedFile, user: AbstractBaseUser) -> ImportJob:
    """Store the upload (readable by this user account only) and queue a job for it."""
    job = ImportJob.objects.create(
        created_at=timezone.now(),
        started_by=user,
        source_name=(upload.name or "roster.zip")[:255],
        size=upload.size or 0,
        stage="waiting to start",
    )
    path = _upload_path(job.pk)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return job


def start(job: ImportJob) -> threading.Thread:
    """Run the job in a daemon thread (registered first, so the page always sees it live)."""
    with _live_lock:
        _live[job.pk] = Live()
    thread = threading.Thread(
        target=run_job, args=(job.pk,), name=f"roster-import-{job.pk}", daemon=True
    )
    thread.start()
    return thread


def live(pk: int) -> Live | None:
    """The running job's progress, if this process runs it."""
    with _live_lock:
        found = _live.get(pk)
        return Live(found.stage, found.entity, dict(found.done)) if found else None


def _set(pk: int, **values: Any) -> None:
    with _live_lock:
        state = _live.setdefault(pk, Live())
        for name, value in values.items():
            setattr(state, name, value)


def _progress(pk: int, entity: str, rows: int) -> None:
    with _live_lock:
        state = _live.setdefault(pk, Live())
        state.entity = entity
        state.done[entity] = state.done.get(entity, 0) + rows


def run_job(pk: int) -> None:
    """Import job `pk`'s upload; every outcome ends in `done` or `failed` with the reason."""
    path = _upload_path(pk)
    try:
        with RUNNING:
            _set(pk, stage="reading and checking every file")
            ImportJob.objects.filter(pk=pk).update(status="running", stage="reading and checking")
            roster = load_roster(path)
            _set(pk, stage="writing")
            ImportJob.objects.filter(pk=pk).update(
                stage="writing",
                version=roster.version,
                files=len(roster.records),
                rows=roster.rows(),
            )
            result = write_roster(roster, progress=lambda entity, n: _progress(pk, entity, n))
        ImportJob.objects.filter(pk=pk).update(
            status="done",
            stage="finished",
            counts={name: c.as_dict() for name, c in result.counts.items()},
            finished_at=timezone.now(),
        )
        from schoolgate.control.console.publish import republish

        republish()
    except RosterError as exc:
        _failed(pk, [str(p) for p in exc.problems])
    except Exception as exc:  # the thread must record every ending, not die silently
        log.exception("roster import %s stopped", pk)
        _failed(pk, [f"the import stopped ({type(exc).__name__}); nothing was changed"])
    finally:
        path.unlink(missing_ok=True)
        with _live_lock:
            _live.pop(pk, None)
        connection.close()  # this thread's own database connection


def _failed(pk: int, problems: list[str]) -> None:
    ImportJob.objects.filter(pk=pk).update(
        status="failed",
        stage="finished",
        problems=problems[:MAX_PROBLEMS],
        problem_count=len(problems),
        finished_at=timezone.now(),
    )
