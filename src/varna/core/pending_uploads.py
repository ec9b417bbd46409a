"""A file kept between an import's dry run and its confirmation.

The uploaded bytes wait under DATA_DIR/imports/<kind>, named by a random token that only this
user's session knows, with the file's SHA-256 in the session. Not in the session itself:
sessions live in the database and are read on every request, so a file of several megabytes
there would burden every page the user opens afterwards. The import reads the same bytes again
(checked against the hash) and validates them again before writing, so nothing from the dry run
is trusted. Files are removed after the import, on cancel, when replaced, and by a sweep of
files older than a day at each upload. With several application machines, DATA_DIR must be
shared between them (like the media folder).
"""

import datetime
import hashlib
import os
import re
import secrets
from pathlib import Path

from django.conf import settings

TOKEN = re.compile(r"[0-9a-f]{32}")
KEEP_FOR = datetime.timedelta(hours=24)


class PendingUploads:
    def __init__(self, kind: str, session_key: str):
        self.kind = kind
        self.session_key = session_key

    def folder(self) -> Path:
        return Path(settings.DATA_DIR) / "imports" / self.kind

    def path(self, token: str) -> Path | None:
        return self.folder() / f"{token}.upload" if TOKEN.fullmatch(token or "") else None

    def _sweep(self, folder: Path) -> None:
        cutoff = (datetime.datetime.now() - KEEP_FOR).timestamp()
        for old in folder.glob("*.upload"):
            try:
                if old.stat().st_mtime < cutoff:
                    old.unlink(missing_ok=True)
            except OSError:
                pass  # another process removed it first

    def discard(self, request) -> None:
        stored = request.session.pop(self.session_key, None)
        if isinstance(stored, dict):
            path = self.path(str(stored.get("token", "")))
            if path is not None:
                path.unlink(missing_ok=True)

    def store(self, request, data: bytes, filename: str, group, options: dict | None = None) -> str:
        """Keep the file; `options`: what the user chose with it (JSON-serialisable), read back by
        `options` until the file is gone."""
        self.discard(request)
        folder = self.folder()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._sweep(folder)
        token = secrets.token_hex(16)
        fd = os.open(self.path(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        request.session[self.session_key] = {
            "token": token,
            "sha256": hashlib.sha256(data).hexdigest(),
            "filename": filename,
            "group": group.pk,
            "user": request.user.pk,
            "options": options or {},
        }
        return token

    def options(self, request) -> dict:
        """The options stored with the file waiting (empty when none is)."""
        stored = request.session.get(self.session_key)
        options = stored.get("options") if isinstance(stored, dict) else None
        return options if isinstance(options, dict) else {}

    def load(self, request, token: str, group) -> tuple[bytes, str] | None:
        """The stored bytes and file name, if this user's session holds the token for this group
        and the file is unchanged and not older than a day."""
        stored = request.session.get(self.session_key)
        if not isinstance(stored, dict) or stored.get("token") != token:
            return None
        if stored.get("group") != group.pk or stored.get("user") != request.user.pk:
            return None
        path = self.path(token)
        if path is None:
            return None
        try:
            if path.stat().st_mtime < (datetime.datetime.now() - KEEP_FOR).timestamp():
                return None
            data = path.read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != stored.get("sha256"):
            return None
        return data, str(stored.get("filename", ""))
