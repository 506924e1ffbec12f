from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from pasarela.errors import ArtifactError
from pasarela.storage.artifacts import LocalArtifactStore


def test_put_is_content_addressed_and_idempotent(tmp_path: Path) -> None:
    source = tmp_path / "m.bin"
    source.write_bytes(b"model bytes")
    store = LocalArtifactStore(tmp_path / "store")
    sha = store.put(source)
    assert sha == hashlib.sha256(b"model bytes").hexdigest()
    assert store.put(source) == sha
    assert store.fetch(sha).read_bytes() == b"model bytes"
    assert [p.name for p in (tmp_path / "store").iterdir()] == [sha]


def test_tampered_artifact_refuses_to_load(tmp_path: Path) -> None:
    source = tmp_path / "m.bin"
    source.write_bytes(b"model bytes")
    store = LocalArtifactStore(tmp_path / "store")
    sha = store.put(source)
    stored = store.fetch(sha)
    os.chmod(stored, 0o644)
    stored.write_bytes(b"evil bytes")
    with pytest.raises(ArtifactError, match="modified on disk") as info:
        store.fetch(sha)
    assert info.value.code == "artifact_tampered"


def test_missing_and_malformed_names(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path)
    with pytest.raises(ArtifactError, match="missing"):
        store.fetch("0" * 64)
    with pytest.raises(ArtifactError, match="not a sha256"):
        store.fetch("../../etc/passwd")
    with pytest.raises(ArtifactError, match="not a file"):
        store.put(tmp_path / "nope")
