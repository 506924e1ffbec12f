"""Content-addressed artifact stores: an artifact's name is the sha256 of its bytes, and every
read checks the bytes against the name, so a tampered file refuses to load."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path

from pasarela.errors import ArtifactError
from pasarela.private_files import private_dir

_CHUNK = 1024 * 1024


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class ArtifactStore(ABC):
    """Where version artifacts live. ``put`` returns the sha256; ``fetch`` returns a local path
    whose bytes have just been verified against it."""

    @abstractmethod
    def put(self, source: Path) -> str: ...

    @abstractmethod
    def fetch(self, sha256: str) -> Path: ...

    @abstractmethod
    def exists(self, sha256: str) -> bool: ...

    @abstractmethod
    def discard(self, sha256: str) -> None:
        """Remove an artifact that no version refers to (a registration that failed after
        storing it); nothing if it is absent."""


class LocalArtifactStore(ArtifactStore):
    """Artifacts as files named by their hash under one directory.

    Example::

        store = LocalArtifactStore(Path(".pasarela/artifacts"))
        sha = store.put(Path("model.joblib"))
        path = store.fetch(sha)  # raises ArtifactError if the file changed
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ArtifactError(f"not a sha256 digest: {sha256!r}", code="artifact_missing")
        return self.root / sha256

    def put(self, source: Path) -> str:
        if not source.is_file():
            raise ArtifactError(f"artifact {source} is not a file", code="artifact_missing")
        private_dir(self.root)
        # Copy first, hash the copy: what is stored is exactly what was hashed.
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            shutil.copyfile(source, tmp)
            digest = sha256_file(tmp)
            target = self.root / digest
            if target.exists():
                tmp.unlink()
            else:
                os.chmod(tmp, 0o400)  # read-only: content-addressed; the owner's only
                tmp.replace(target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return digest

    def fetch(self, sha256: str) -> Path:
        path = self._path(sha256)
        if not path.is_file():
            raise ArtifactError(
                f"artifact {sha256} is missing from {self.root}", code="artifact_missing"
            )
        actual = sha256_file(path)
        if actual != sha256:
            raise ArtifactError(
                f"artifact {sha256} was modified on disk (its content hashes to {actual}); "
                "refusing to load it",
                code="artifact_tampered",
            )
        return path

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()

    def discard(self, sha256: str) -> None:
        self._path(sha256).unlink(missing_ok=True)
