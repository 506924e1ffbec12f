from __future__ import annotations

import pasarela
from pasarela import errors
from pasarela.api.errors import STATUS_BY_ERROR, status_for


def test_all_is_sorted_and_importable() -> None:
    assert pasarela.__all__ == sorted(pasarela.__all__)
    for name in pasarela.__all__:
        assert hasattr(pasarela, name), name


def test_every_error_class_has_a_status() -> None:
    classes = [
        c
        for c in vars(errors).values()
        if isinstance(c, type) and issubclass(c, errors.PasarelaError)
    ]
    mapped = {cls for cls, _ in STATUS_BY_ERROR}
    for cls in classes:
        assert any(issubclass(cls, m) for m in mapped), cls
    assert status_for(errors.NotFound("x")) == 404
    assert status_for(errors.InvalidInput("x")) == 422
    assert status_for(errors.InvalidRequest("x", code="payload_too_large")) == 413
    assert status_for(errors.Unavailable("x")) == 503
    assert status_for(errors.ModelTimeout("x")) == 504
    assert status_for(errors.MissingDependency("onnxruntime", "onnx")) == 500
    assert "pip install 'pasarela[onnx]'" in errors.MissingDependency("onnxruntime", "onnx").message


def test_the_version_has_one_source() -> None:
    """``_version.py`` is what the package says and what its installed metadata says
    (``pyproject.toml`` reads it from there)."""
    from importlib.metadata import version

    from pasarela._version import __version__

    assert pasarela.__version__ == __version__ == version("pasarela")
