"""Uploaded files served by Django itself, for development and tests only (production serves
them from object storage or the web server). Unlike django.views.static.serve it answers HTTP
Range requests, which browsers need to seek in a video, so "resume where you left off" works on
`make run` too."""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils._os import safe_join
from django.views.decorators.http import require_safe

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
MAX_CHUNK = 4 * 1024 * 1024


@require_safe
def media_serve(request: HttpRequest, path: str) -> HttpResponse:
    try:
        full_path = Path(safe_join(settings.MEDIA_ROOT, path))
    except (SuspiciousFileOperation, ValueError) as error:  # outside MEDIA_ROOT
        raise Http404("No such file.") from error
    if not full_path.is_file():
        raise Http404("No such file.")
    size = full_path.stat().st_size
    content_type = mimetypes.guess_type(full_path.name)[0] or "application/octet-stream"
    header = request.headers.get("Range", "")
    match = RANGE.match(header.strip()) if header else None
    if match is None or not any(match.groups()):
        response = FileResponse(full_path.open("rb"), content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    start_text, end_text = match.groups()
    if start_text:
        start = int(start_text)
        end = int(end_text) if end_text else size - 1
    else:  # the last N bytes
        start = max(size - int(end_text), 0)
        end = size - 1
    end = min(end, size - 1, start + MAX_CHUNK - 1)
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    with full_path.open("rb") as handle:
        handle.seek(start)
        data = handle.read(end - start + 1)
    response = HttpResponse(data, status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    return response
