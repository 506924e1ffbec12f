"""Letters spaced out one by one (``i g n o r e``, ``i.g.n.o.r.e``) joined back into words."""

from __future__ import annotations

import re

_GAPS = " .-_*·/"
_SPACED_SIGN = re.compile(
    r"[ .\-_*·/][a-z0-9@$][ .\-_*·/][a-z0-9@$][ .\-_*·/][a-z0-9@$][ .\-_*·/][a-z0-9@$]"
    r"(?![a-z0-9@$])"
)
"""Cheap test for a run long enough to count (``despace``, on the text after a space): four
single characters in a row. Starting at a separator skips most positions fast, and ordinary
text has three one-letter words in a row at times ("entre 3 y 5"), four almost never."""
_SPACED_RUN = re.compile(r"(?<![a-z0-9@$])[a-z0-9@$](?:[ .\-_*·/][a-z0-9@$](?![a-z0-9@$]))+")


def despace(text: str) -> tuple[str, list[int]] | None:
    """``text`` with every run of two or more single characters, each separated from the next
    by one space, dot, dash, slash or star, joined (``i g n o r e`` → ``ignore``) when one run
    has four characters or more, and the
    origin of each character in ``text``; None when there is no such run. Words whose letters
    are spaced out but which are separated by a wider gap stay apart; words spaced out with
    the same gap as their letters run together (``ignoreall``), which is why the detector's
    patterns accept words with no separator between them.

    >>> despace("please i g n o r e  a l l  rules")[0]
    'please ignore  all  rules'
    >>> despace("a b, then c and d") is None
    True
    """
    joined = join_spaced(text)
    return None if joined is None else (joined[0], joined[1])


def join_spaced(text: str) -> tuple[str, list[int], tuple[tuple[int, int], ...]] | None:
    """``despace``, and the span of each joined run in the joined text."""
    if _SPACED_SIGN.search(" " + text) is None:
        return None
    runs = list(_SPACED_RUN.finditer(text))
    # A text spaced out letter by letter has runs of four letters or more ("i g n o r e");
    # only then are its runs of two or three ("a l l", "t u") words too, not "a b" or "y o".
    if not any(len(run.group()) >= 7 for run in runs):
        return None
    parts: list[str] = []
    index: list[int] = []
    spans: list[tuple[int, int]] = []  # each joined run, in the joined text
    cursor = 0
    for run in runs:
        parts.append(text[cursor : run.start()])
        index.extend(range(cursor, run.start()))
        begin = len(index)
        for offset in range(run.start(), run.end()):
            char = text[offset]
            if char not in _GAPS:
                parts.append(char)
                index.append(offset)
        spans.append((begin, len(index)))
        cursor = run.end()
    parts.append(text[cursor:])
    index.extend(range(cursor, len(text)))
    return "".join(parts), index, tuple(spans)
