# mypy: disallow-untyped-decorators=False
# (drf-spectacular's decorators are untyped to mypy.)
"""The routes for programs, each needing one machine-token scope: the DNS filter's address →
person feed, a DHCP server's lease file upload (`networks.services.import_leases`, all or
nothing, as `schoolgate leases import` does), after which the snapshot is republished, and the
published snapshot itself for enforcement points on other hosts (`enforce/follow.py`)."""

from __future__ import annotations

import re
import tempfile
import threading
from dataclasses import asdict
from pathlib import Path

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from schoolgate.control.api.permissions import HasScope
from schoolgate.control.api.serializers import AddressMap, LeaseImported, LeaseUpload
from schoolgate.control.api.views.base import Endpoint, body
from schoolgate.control.console.publish import republish
from schoolgate.control.networks.leases import LeaseError
from schoolgate.control.networks.services import address_map, import_leases
from schoolgate.control.publication.server import SnapshotFile, etag_matches
from schoolgate.control.publication.services import snapshot_path

# A district's whole lease file, with room to spare; larger uploads are refused unread (413).
MAX_LEASE_FILE = 32 * 1024 * 1024
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


class Addresses(Endpoint):
    """Static addresses, then live leases and sign-ins: the map the DNS filter uses to name who
    asked. Machine tokens with `addresses:read` only."""

    permission_classes = (HasScope,)
    required_scope = "addresses:read"
    serializer_class = AddressMap
    pagination_class = None

    @extend_schema(summary="Who is behind each address now (machine token: addresses:read)")
    def get(self, request: Request) -> Response:
        out = {"generated_at": timezone.now(), "addresses": address_map()}
        return Response(AddressMap(out).data)


def _file_name(uploaded: str, kind: str) -> str:
    """The upload's own name for error messages (file:line), made safe for a path."""
    name = SAFE_NAME.sub("_", Path(uploaded or "").name)[:100].lstrip(".")
    return name or ("leases4.csv" if kind == "kea" else "dhcpd.leases")


class Leases(Endpoint):
    """Multipart upload of an ISC dhcpd.leases or Kea leases4.csv: all or nothing, errors name
    file:line. Machine tokens with `leases:write` only."""

    permission_classes = (HasScope,)
    required_scope = "leases:write"
    parser_classes = (MultiPartParser,)
    serializer_class = LeaseImported
    pagination_class = None
    max_body = MAX_LEASE_FILE

    @extend_schema(
        request={"multipart/form-data": LeaseUpload},
        responses={200: LeaseImported},
        summary="Import a DHCP lease file (machine token: leases:write)",
    )
    def post(self, request: Request) -> Response:
        wanted = body(LeaseUpload, request)
        upload, kind = wanted["file"], wanted["format"]
        with tempfile.TemporaryDirectory(prefix="schoolgate-leases-") as folder:
            path = Path(folder) / _file_name(upload.name, kind)
            with path.open("wb") as copy:
                for chunk in upload.chunks():
                    copy.write(chunk)
            try:
                result = import_leases(path, kind)
            except LeaseError as exc:
                problems = [str(p) for p in exc.problems[:50]]
                raise ValidationError({"file": problems}) from None
        out = {**asdict(result), "published": republish()}
        return Response(LeaseImported(out).data)


_files: dict[Path, SnapshotFile] = {}
_files_lock = threading.Lock()


def published_file() -> SnapshotFile:
    """The published snapshot file, its bytes kept until the file changes (one per path, so a
    feed polled every few seconds by every resolver reads the disk only after a publish)."""
    path = snapshot_path()
    with _files_lock:
        found = _files.get(path)
        if found is None:
            found = _files[path] = SnapshotFile(path)
        return found


class SnapshotFeed(Endpoint):
    """The published snapshot file's bytes, exactly as `snapshot serve` hands them out: ETag is
    the quoted revision, `If-None-Match` with it is a 304. It reads the file only, never the
    records, so it serves the last published snapshot while the database is down (the token
    check then takes the database's last word, `tokens.OUTAGE_GRACE`). Machine tokens with
    `snapshot:read` only: the snapshot holds student records."""

    permission_classes = (HasScope,)
    required_scope = "snapshot:read"
    pagination_class = None

    @extend_schema(
        summary="The published snapshot (machine token: snapshot:read)",
        parameters=[
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description='The ETag of the snapshot you have (`"<revision>"`): 304 if current.',
            )
        ],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The snapshot (docs/policy-packs.md, docs/control-plane.md); "
                'the ETag header is `"<revision>"`.',
            ),
            304: OpenApiResponse(description="Not modified: your ETag is the current revision."),
            503: OpenApiResponse(description="No snapshot has been published yet."),
        },
    )
    def get(self, request: Request) -> HttpResponse | Response:
        loaded = published_file().get()
        if loaded is None:
            return Response({"error": "no snapshot has been published yet"}, status=503)
        etag = f'"{loaded.revision}"'
        if etag_matches(request.headers.get("If-None-Match"), loaded.revision):
            unchanged = HttpResponse(status=304)
            del unchanged["Content-Type"]
            unchanged["ETag"] = etag
            unchanged["Cache-Control"] = "no-cache"
            return unchanged
        answer = HttpResponse(loaded.blob, content_type="application/json")
        answer["ETag"] = etag
        answer["Cache-Control"] = "no-cache"
        return answer
