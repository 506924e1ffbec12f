"""Registering model files: pickles run code, so they need an explicit opt-in; a refused or
failed registration leaves nothing in the artifact store; model names are plain."""

from __future__ import annotations

import pickle
from pathlib import Path

import joblib
import pytest
import skops.io

from pasarela.control.endpoints import put_endpoint
from pasarela.control.manifest import parse_document
from pasarela.control.workspace import open_registry
from pasarela.errors import InvalidRequest
from pasarela.names import NAME_MAX_LENGTH, check_name
from pasarela.registry.service import Registry
from pasarela.settings import Settings
from tests.conftest import Trained


class WritesAFileWhenUnpickled:
    """What an attacker ships as ``model.joblib``: unpickling it calls ``Path.write_text``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[Path, str]]:
        return (Path.write_text, (self.marker, "code ran at registration"))


def stored(settings: Settings) -> list[str]:
    """The names in the artifact store (none if it was never created)."""
    root = settings.resolved_artifacts_dir
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


@pytest.fixture
def crafted(tmp_path: Path) -> tuple[Path, Path]:
    """A crafted joblib file and the file it writes when it is unpickled."""
    marker = tmp_path / "pwned.txt"
    path = tmp_path / "model.joblib"
    joblib.dump(WritesAFileWhenUnpickled(marker), path)
    # the file really is a bomb: unpickling it writes the marker (then undo that)
    pickle.loads(pickle.dumps(WritesAFileWhenUnpickled(marker)))
    assert marker.exists()
    marker.unlink()
    return path, marker


@pytest.mark.parametrize("suffix", [".joblib", ".pkl", ".bin"])
def test_a_crafted_pickle_is_refused_without_opt_in_and_runs_nothing(
    registry: Registry, settings: Settings, crafted: tuple[Path, Path], suffix: str
) -> None:
    path, marker = crafted
    path = path.rename(path.with_suffix(suffix))
    with pytest.raises(InvalidRequest) as caught:
        registry.register("evil", artifact=path, kind="sklearn")
    assert caught.value.code == "untrusted_pickle"
    assert "loading a pickle runs any code inside it" in caught.value.message
    assert "--trust-pickle" in caught.value.message
    assert not marker.exists()
    assert stored(settings) == []
    assert "evil" not in registry.versions.models()


def test_a_trusted_pickle_that_fails_its_check_leaves_no_artifact(
    registry: Registry, settings: Settings, crafted: tuple[Path, Path], trained: Trained
) -> None:
    path, marker = crafted
    with pytest.raises(InvalidRequest, match="failed to predict"):
        registry.register(
            "evil", artifact=path, train_data=trained.frame, target="target", trust_pickle=True
        )
    assert marker.exists()  # trusted means loaded: the opt-in is what it says
    assert stored(settings) == []
    assert "evil" not in registry.versions.models()


def test_a_failed_registration_keeps_an_artifact_a_version_refers_to(
    registry: Registry, settings: Settings, trained: Trained, tmp_path: Path
) -> None:
    path = tmp_path / "model.skops"
    skops.io.dump(trained.model, path)
    good = registry.register("cancer", artifact=path, train_data=trained.frame, target="target")
    assert stored(settings) == [good.artifact_sha256]
    with pytest.raises(InvalidRequest, match="failed to predict"):
        # same bytes, but training data of the wrong width: the smoke test fails
        registry.register("cancer", artifact=path, train_data=trained.frame.iloc[:, :3])
    assert stored(settings) == [good.artifact_sha256]
    assert registry.load(good).predict_batch([list(trained.features.iloc[0])])


def test_skops_and_in_memory_estimators_need_no_opt_in(
    registry: Registry, trained: Trained, tmp_path: Path
) -> None:
    path = tmp_path / "model.skops"
    skops.io.dump(trained.model, path)
    assert registry.register("s", artifact=path, train_data=trained.frame, target="target")
    # register_estimator pickles an object already alive in this process: nothing new runs
    version = registry.register_estimator("e", trained.model)
    assert version.kind == "sklearn"


def test_a_pickle_with_opt_in_registers(
    registry: Registry, trained: Trained, tmp_path: Path
) -> None:
    path = tmp_path / "model.pkl"
    joblib.dump(trained.model, path)
    version = registry.register(
        "p", artifact=path, train_data=trained.frame, target="target", trust_pickle=True
    )
    assert version.version == 1


@pytest.mark.parametrize(
    "name",
    [
        "a/b",
        "..",
        "a..b",
        "../etc",
        "churn@3",
        "has space",
        "tab\there",
        "nul\x00",
        "new\nline",
        "x" * (NAME_MAX_LENGTH + 1),
        "",
        "-leading",
        "trailing.",
        "é",
    ],
)
def test_bad_model_names_are_refused_before_anything_is_stored(
    registry: Registry, settings: Settings, name: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        registry.register(name, entrypoint="pasarela.testing:row_sums")
    assert caught.value.code == "invalid_name"
    assert "\n" not in caught.value.message and "\x00" not in caught.value.message
    assert registry.versions.models() == []
    assert stored(settings) == []


def test_good_names_pass_and_the_longest_fits_its_columns(
    database_url: str, tmp_path: Path
) -> None:
    for name in ("churn", "churn-v2", "churn_v2.1", "A1", "x" * NAME_MAX_LENGTH):
        assert check_name(name, "model") == name
    # on PostgreSQL too, where a VARCHAR shorter than the check would refuse the row
    registry = open_registry(Settings(home=tmp_path / "home", database_url=database_url))
    try:
        longest = "m" * NAME_MAX_LENGTH
        registry.register(longest, entrypoint="pasarela.testing:row_sums")
        put_endpoint(registry, longest, [f"{longest}@1"])
        assert longest in registry.versions.models()
        assert [e.name for e in registry.endpoints.all()] == [longest]
    finally:
        registry.engine.dispose()


@pytest.mark.parametrize("name", ["a/b", "a..b", "x" * (NAME_MAX_LENGTH + 1), "ctl\x07"])
def test_bad_endpoint_names_are_refused_by_the_same_rule(name: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_document({"name": name, "policy": {"type": "single", "target": "m@1"}})
    assert caught.value.code == "invalid_manifest"
    assert "name:" in caught.value.message
