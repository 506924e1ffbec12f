"""The registry: register versions (artifact, signature, baseline, lineage), move aliases and
load verified runtimes."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from pasarela.errors import ArtifactError, Conflict, InvalidRequest, PasarelaError
from pasarela.names import check_name
from pasarela.registry.baseline import compute_baseline, fingerprint
from pasarela.registry.signature import infer_signature
from pasarela.runtimes import create_runtime
from pasarela.runtimes.sklearn import PICKLE_WARNING, SKOPS_TRUSTED_TAG, is_pickle
from pasarela.storage.artifacts import ArtifactStore, sha256_file
from pasarela.storage.catalog import Catalog
from pasarela.types import (
    PLAIN_PAYLOADS,
    Isolation,
    ModelVersion,
    PayloadCodec,
    Runtime,
    RuntimeContext,
    VersionId,
)

_KIND_BY_SUFFIX = {
    ".joblib": "sklearn",
    ".pkl": "sklearn",
    ".pickle": "sklearn",
    ".skops": "sklearn",
    ".onnx": "onnx",
}
_SMOKE_ROWS = 5


def parse_ref(ref: str) -> tuple[str, str]:
    """``"churn@3"`` → ``("churn", "3")``; ``"churn@champion"``; ``"churn"`` → latest."""
    model, _, version = ref.partition("@")
    if not model:
        raise InvalidRequest(f"{ref!r} is not a model reference like 'name@3' or 'name@alias'")
    return model, version or "latest"


def read_table(path: Path) -> pd.DataFrame:
    """A training frame from CSV or Parquet."""
    if not path.is_file():
        raise InvalidRequest(f"training data {path} does not exist")
    if path.suffix in {".parquet", ".pq"}:
        return pd.read_parquet(path)
    if path.suffix in {".csv", ".txt"}:
        return pd.read_csv(path)
    raise InvalidRequest(f"training data must be .csv or .parquet, not {path.suffix!r}")


class Registry:
    """Register and look up model versions.

    Example::

        registry = Registry(Catalog(engine), store)
        v1 = registry.register("churn", artifact=Path("model.joblib"), train_data=frame)
        registry.set_alias("churn", "champion", v1.version, actor="ana")

    The control services reach the catalog's repositories through it: ``registry.versions``,
    ``registry.aliases``, ``registry.endpoints``, ``registry.rollouts``.
    """

    def __init__(
        self,
        catalog: Catalog,
        store: ArtifactStore,
        payloads: PayloadCodec = PLAIN_PAYLOADS,
    ) -> None:
        self.catalog = catalog
        self.engine = catalog.engine
        self.versions = catalog.versions
        self.aliases = catalog.aliases
        self.endpoints = catalog.endpoints
        self.rollouts = catalog.rollouts
        self.store = store
        self.payloads = payloads
        """Seals and opens payloads at rest (``security/crypto.py``); plain by default."""

    def register(
        self,
        name: str,
        *,
        artifact: Path | None = None,
        kind: str | None = None,
        entrypoint: str | None = None,
        train_data: pd.DataFrame | Path | None = None,
        target: str | None = None,
        metrics: dict[str, float] | None = None,
        params: dict[str, Any] | None = None,
        tags: dict[str, str] | None = None,
        trust_skops_types: bool = False,
        trust_pickle: bool = False,
        actor: str = "local",
    ) -> ModelVersion:
        """Store the artifact, infer signature and baseline from ``train_data`` (its ``target``
        column left out), check that the model loads and predicts on a few training rows, and
        record the next version.

        A joblib or pickle file (``.joblib``, ``.pkl``) is refused (code ``untrusted_pickle``)
        unless ``trust_pickle``: loading a pickle runs any code inside it, and the check above
        loads it. skops and ONNX files need no such trust. A registration that fails leaves
        nothing behind: no version, and no artifact that was not stored before.
        """
        check_name(name, "model")
        kind = kind or _infer_kind(artifact, entrypoint)
        params = dict(params or {})
        frame = read_table(train_data) if isinstance(train_data, Path) else train_data
        features = None
        if frame is not None:
            if target is not None:
                if target not in frame.columns:
                    raise InvalidRequest(f"target column {target!r} is not in the training data")
                frame = frame.drop(columns=[target])
            features = frame
        if artifact is None and kind != "python":
            raise InvalidRequest(f"a {kind} model needs an artifact file")
        if artifact is not None and kind == "sklearn":
            if not artifact.is_file():
                raise ArtifactError(f"artifact {artifact} is not a file", code="artifact_missing")
            # Before anything stores or loads it: unpickling is running the file's code.
            if is_pickle(artifact) and not trust_pickle:
                raise InvalidRequest(
                    f"{artifact.name} is a pickle (joblib): {PICKLE_WARNING}. Save the model "
                    "with skops (skops.io.dump, a .skops file) or as ONNX, or register it "
                    "with trust_pickle (CLI: --trust-pickle)",
                    code="untrusted_pickle",
                )
            if not is_pickle(artifact):
                params[SKOPS_TRUSTED_TAG] = _skops_types(artifact, trust_skops_types)
        sha, added = self._store(artifact) if artifact is not None else (None, False)
        try:
            return self._add_version(
                name, kind, sha, entrypoint, features, metrics, params, tags, actor
            )
        except BaseException:
            if sha is not None and added:
                self.store.discard(sha)
            raise

    def _store(self, artifact: Path) -> tuple[str, bool]:
        """Store ``artifact``: its hash, and whether this call added it (its bytes were not in
        the store before), so that a failed registration removes only what it brought and
        never an artifact another version refers to."""
        before = sha256_file(artifact) if artifact.is_file() else None
        existed = before is not None and self.store.exists(before)
        sha = self.store.put(artifact)
        # a file rewritten while it was copied: we cannot tell what was there, keep it
        return sha, sha == before and not existed

    def _add_version(
        self,
        name: str,
        kind: str,
        sha: str | None,
        entrypoint: str | None,
        features: pd.DataFrame | None,
        metrics: dict[str, float] | None,
        params: dict[str, Any],
        tags: dict[str, str] | None,
        actor: str,
    ) -> ModelVersion:
        signature = infer_signature(features) if features is not None else None
        candidate = ModelVersion(
            model=name,
            version=0,
            kind=kind,
            artifact_sha256=sha,
            entrypoint=entrypoint,
            signature=signature,
            baseline=None,
            params=params,
        )
        self._smoke_test(candidate, features)
        return self.versions.add(
            name,
            kind=kind,
            actor=actor,
            artifact_sha256=sha,
            entrypoint=entrypoint,
            signature=signature,
            baseline=compute_baseline(features) if features is not None else None,
            metrics=metrics,
            params=params,
            tags=tags,
            dataset_fingerprint=fingerprint(features) if features is not None else None,
        )

    def register_estimator(self, name: str, estimator: Any, **kwargs: Any) -> ModelVersion:
        """Register an in-memory scikit-learn estimator, saved with joblib.

        The pickle is trusted: it is written here from an object already alive in this
        process, so loading it runs no code the caller does not already run. (A file from
        elsewhere goes through ``register(..., trust_pickle=True)`` or, better, skops.)"""
        import joblib

        kwargs.setdefault("trust_pickle", True)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "model.joblib"
            joblib.dump(estimator, path)
            return self.register(name, artifact=path, kind="sklearn", **kwargs)

    def _smoke_test(self, version: ModelVersion, features: pd.DataFrame | None) -> None:
        runtime = self.load(version)
        try:
            if features is not None and len(features):
                rows = features.head(_SMOKE_ROWS).astype(object).values.tolist()
                runtime.predict_batch(rows)
        except PasarelaError:
            raise
        except Exception as exc:
            raise InvalidRequest(
                f"the model failed to predict on its own training data: {exc}"
            ) from exc
        finally:
            runtime.unload()

    def load(self, version: ModelVersion, isolation: Isolation = "thread") -> Runtime:
        """A loaded runtime for ``version`` (in a child process of its own with ``isolation=
        "process"``); its artifact is verified against its hash first."""
        path = self.store.fetch(version.artifact_sha256) if version.artifact_sha256 else None
        runtime = create_runtime(version.kind, isolation=isolation)
        runtime.load(RuntimeContext(version=version, artifact_path=path))
        return runtime

    def resolve(self, ref: str) -> ModelVersion:
        model, version = parse_ref(ref)
        return self.aliases.resolve(model, version)

    def set_alias(self, model: str, alias: str, version: int, *, actor: str = "local") -> None:
        self.aliases.move(model, alias, version, actor=actor)

    def get(self, version: VersionId) -> ModelVersion:
        return self.versions.get(version.model, version.version)


def _infer_kind(artifact: Path | None, entrypoint: str | None) -> str:
    if entrypoint:
        return "python"
    if artifact is None:
        raise InvalidRequest("give a model artifact file or a Python entrypoint")
    kind = _KIND_BY_SUFFIX.get(artifact.suffix.lower())
    if kind is None:
        raise InvalidRequest(
            f"cannot tell the model kind from {artifact.name!r}; pass kind= "
            f"(one of sklearn, onnx, python) or use {', '.join(sorted(_KIND_BY_SUFFIX))}"
        )
    return kind


def _skops_types(path: Path, trust: bool) -> list[str]:
    try:
        import skops.io as sio
    except ImportError as exc:
        from pasarela.errors import MissingDependency

        raise MissingDependency("skops", "skops") from exc
    try:
        untrusted: list[str] = sio.get_untrusted_types(file=path)
    except Exception as exc:
        raise ArtifactError(f"{path.name} is not a readable skops file: {exc}") from exc
    if untrusted and not trust:
        raise Conflict(
            f"{path.name} contains types skops does not trust by default: "
            f"{', '.join(untrusted)}; review them and register again with trust_skops_types "
            "(CLI: --trust-skops-types)"
        )
    return untrusted
