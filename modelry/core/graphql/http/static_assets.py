"""Static files read once into memory and served under a digest of their contents."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


@dataclass(frozen=True)
class StaticFile:
    """One servable file: its bytes and the Content-Type it is sent with."""

    body: bytes
    media_type: str


class StaticAssets:
    """The scripts and style sheets under `folder` (other files, such as licences, are not
    served). `version` digests them all: URLs carrying it may be cached for a year, since any
    change to a file makes new URLs."""

    def __init__(self, folder: Path) -> None:
        self.files = {path.relative_to(folder).as_posix():
                      StaticFile(path.read_bytes(), MEDIA_TYPES[path.suffix])
                      for path in sorted(folder.rglob("*"))
                      if path.is_file() and path.suffix in MEDIA_TYPES}
        digest = hashlib.sha256()
        for name, file in self.files.items():
            digest.update(f"{name}\0{len(file.body)}\0".encode())
            digest.update(file.body)
        self.version = digest.hexdigest()[:16]

    def find(self, version: str, name: str) -> StaticFile | None:
        """The file `name` of this version; None for another version or an unknown name (a
        lookup by exact name: '..' or an absolute path never reaches the file system)."""
        return self.files.get(name) if version == self.version else None
