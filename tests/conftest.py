"""Shared fixtures: a real model trained here, a registry on SQLite or PostgreSQL, an app."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
import sqlalchemy as sa
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from pasarela.api.app import PasarelaAPI, create_app
from pasarela.control.endpoints import put_endpoint
from pasarela.control.workspace import open_registry
from pasarela.registry.service import Registry
from pasarela.settings import Settings

POSTGRES_URL = os.environ.get(
    "PASARELA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@dataclass(frozen=True)
class Trained:
    model: Pipeline
    frame: pd.DataFrame  # features and a "target" column

    @property
    def features(self) -> pd.DataFrame:
        return self.frame.drop(columns=["target"])


@pytest.fixture(scope="session")
def trained() -> Trained:
    """A scaler + logistic regression on the breast-cancer data, trained on its frame."""
    data = load_breast_cancer(as_frame=True)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(data.data, data.target)
    return Trained(model, data.data.assign(target=data.target))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def postgres_available() -> bool:
    try:
        engine = sa.create_engine(POSTGRES_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except sa.exc.OperationalError:
        return False


def require_postgres() -> None:
    """Skip without PostgreSQL on a laptop; fail under CI, where it must be there."""
    if postgres_available():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL} and CI=true")
    pytest.skip("PostgreSQL is not reachable")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose connections use a fresh, private schema, dropped afterwards."""
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each backend in turn: the contract suite runs against both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'contract.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", snapshot_poll_s=0.2)


@pytest.fixture
def registry(settings: Settings) -> Iterator[Registry]:
    reg = open_registry(settings)
    yield reg
    reg.engine.dispose()


@pytest.fixture
def served_registry(registry: Registry, trained: Trained) -> Registry:
    """``cancer@1`` registered with its training frame, served by the endpoint ``cancer``."""
    registry.register_estimator(
        "cancer",
        trained.model,
        train_data=trained.frame,
        target="target",
        metrics={"accuracy": 0.97},
    )
    put_endpoint(registry, "cancer", ["cancer@1"])
    return registry


@pytest.fixture
async def app(settings: Settings, served_registry: Registry) -> AsyncIterator[PasarelaAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: PasarelaAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def row(trained: Trained, i: int = 0) -> dict[str, Any]:
    return {str(k): float(v) for k, v in trained.features.iloc[i].items()}
