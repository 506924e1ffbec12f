"""The one YAML reader: every YAML text pasarela reads (manifests from the API and the CLI, the
guard rule table) goes through ``read_yaml``, which refuses what would cost more than the text is
worth before anything is built from it.

A YAML alias is a pointer: nine anchors of nine aliases each are a 900-byte "billion laughs"
document whose value, once a validator or serializer walks it, has 9**9 leaves (tens of seconds
and gigabytes, found by an outside probe). PyYAML shares aliased objects while loading, so the
load itself is cheap; the cost comes later, from everything that walks the value. So the budget is
counted on the composed node graph, where each alias is one pointer: the number of nodes the
document would have with every alias written out in full. Anchors and merge keys (``<<: *base``)
used as people use them, to share a few settings between endpoints, stay far below it.

Limits (each refusal is an ``InvalidRequest`` with code ``yaml_too_complex``, mapped to 422):

- ``MAX_YAML_BYTES``: the size of the text, checked before parsing (pure-Python parsing runs at a
  few MB/s; this keeps the worst case well under a second).
- ``MAX_EXPANDED_NODES``: nodes of a document with its aliases expanded.
- ``MAX_DEPTH``: nesting of collections (deeper input would exhaust the parser's recursion).

Example::

    for document in read_yaml(text, "churn.yaml"):
        print(document.value, document.node.start_mark.line)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import yaml

from pasarela.errors import InvalidRequest

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPANDED_NODES",
    "MAX_YAML_BYTES",
    "YAML_TOO_COMPLEX",
    "YamlDocument",
    "read_yaml",
    "read_yaml_text",
]

MAX_YAML_BYTES = 1 << 20
"""1 MiB: hundreds of endpoints; the shipped guard rules are ~40 KiB."""
MAX_EXPANDED_NODES = 100_000
"""With aliases expanded; the shipped guard rules have ~5,000 nodes, a manifest a few hundred."""
MAX_DEPTH = 64
YAML_TOO_COMPLEX = "yaml_too_complex"
"""The error code of every refusal here."""


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """One ``---`` document: its value, and its node (with the line of every part)."""

    value: Any
    node: yaml.Node


def read_yaml(
    text: str, source: str = "<yaml>", *, invalid_code: str = "invalid_yaml"
) -> list[YamlDocument]:
    """Every document of ``text`` (empty ones included, their value None), safely loaded.

    Raises ``InvalidRequest``: code ``yaml_too_complex`` past a limit, ``invalid_code`` when the
    text is not YAML (the message names ``source`` and the line).
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_YAML_BYTES:
        raise InvalidRequest(
            f"{source}: {size} bytes of YAML; at most {MAX_YAML_BYTES} are read",
            code=YAML_TOO_COMPLEX,
        )
    loader = _Loader(text)
    documents: list[YamlDocument] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:  # check_node said there is one; keeps the type narrow
                break
            _check_budget(node, source)
            documents.append(YamlDocument(loader.construct_document(node), node))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(exc, "problem", None) or str(exc)
        raise InvalidRequest(f"{where}: not valid YAML: {problem}", code=invalid_code) from exc
    except RecursionError:
        raise InvalidRequest(
            f"{source}: nested deeper than {MAX_DEPTH} levels", code=YAML_TOO_COMPLEX
        ) from None
    except ValueError as exc:  # a scalar Python refuses, e.g. an integer of 5,000 digits
        raise InvalidRequest(f"{source}: not valid YAML: {exc}", code=invalid_code) from None
    finally:
        loader.dispose()
    return documents


def read_yaml_text(stream: BinaryIO, source: str) -> str:
    """The UTF-8 text of a YAML file or stdin, read no further than ``MAX_YAML_BYTES``: a
    gigabyte file is refused without being held in memory."""
    data = stream.read(MAX_YAML_BYTES + 1)
    if len(data) > MAX_YAML_BYTES:
        raise InvalidRequest(
            f"{source}: more than {MAX_YAML_BYTES} bytes of YAML; at most {MAX_YAML_BYTES} "
            "are read",
            code=YAML_TOO_COMPLEX,
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest(f"{source}: not UTF-8 text", code="invalid_yaml") from None


def _check_budget(root: yaml.Node, source: str) -> None:
    """Refuse ``root`` if, with every alias written out, it has more than
    ``MAX_EXPANDED_NODES`` nodes or more than ``MAX_DEPTH`` levels.

    Aliased nodes are the same object in the graph, so each node's expanded size is computed once
    (post-order, without recursion) and reused wherever it is referenced: linear in the text."""
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    on_path: set[int] = set()
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            children = list(_children(node))
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            depths[key] = 1 + max((depths[id(c)] for c in children), default=0)
            if sizes[key] > MAX_EXPANDED_NODES:
                raise InvalidRequest(
                    f"{source}:{node.start_mark.line + 1}: its aliases expand to more than "
                    f"{MAX_EXPANDED_NODES} values; write fewer aliases of large anchors",
                    code=YAML_TOO_COMPLEX,
                )
            if depths[key] > MAX_DEPTH:
                raise InvalidRequest(
                    f"{source}:{node.start_mark.line + 1}: nested deeper than {MAX_DEPTH} levels",
                    code=YAML_TOO_COMPLEX,
                )
            continue
        if key in sizes:
            continue
        if key in on_path:  # a collection that contains itself
            raise InvalidRequest(
                f"{source}:{node.start_mark.line + 1}: an alias refers to its own anchor",
                code=YAML_TOO_COMPLEX,
            )
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, yaml.SequenceNode):
        yield from node.value
