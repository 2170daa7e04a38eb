"""USD's diagnostics while a stage is read (TfDiagnostic messages and errors), kept
as a few load issues instead of a flood on stderr."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from assetlint.model import Asset

# USD's diagnostics are captured while loading; at most this many become load issues.
_MAX_DIAGNOSTIC_ISSUES = 5


@dataclass
class Captured:
    """What USD said while a file was read."""

    messages: list[str]


@contextmanager
def captured_diagnostics() -> Iterator[Captured]:
    """Keep USD's chatter out of the user's terminal: Tf warnings go to a coalescing
    delegate, and the few lines the crate reader prints straight to stderr (on corrupt
    files) to a temporary file. Both become load issues afterwards."""
    from pxr import UsdUtils

    captured = Captured(messages=[])
    delegate = UsdUtils.CoalescingDiagnosticDelegate()
    with tempfile.TemporaryFile() as sink:
        try:
            sys.stderr.flush()
            saved: int | None = os.dup(2)
            os.dup2(sink.fileno(), 2)
        except (OSError, ValueError):  # no stderr to redirect (closed, embedded)
            saved = None
        try:
            yield captured
        finally:
            if saved is not None:
                os.dup2(saved, 2)
                os.close(saved)
            sink.seek(0)
            printed = sink.read().decode("utf-8", "replace").splitlines()
            for diagnostic in delegate.TakeUncoalescedDiagnostics():
                captured.messages.append(" ".join(_text(lambda d=diagnostic: d.commentary).split()))
            captured.messages.extend(line.strip() for line in printed if line.strip())
            del delegate


def _text(get: Any) -> str:
    """A message USD hands to Python; its bindings raise UnicodeDecodeError on one that
    quotes bytes of the file that are not UTF-8."""
    try:
        return str(get())
    except UnicodeDecodeError:
        return "USD's message quotes bytes of the file that are not UTF-8"


def tf_message(exc: Exception) -> str:
    """The commentary of a Tf.ErrorException, on one line."""
    text = _text(lambda: exc)
    found = re.findall(r" : '(.*?)'\s*(?=\n\tError in|$)", text, flags=re.S)
    message = found[-1] if found else text
    message = " ".join(message.split())
    return message[:300] if message else "unknown error"


def _first_sentences(text: str, count: int = 2) -> str:
    """USD's messages run on (FAQ links, how to silence them): keep their gist."""
    parts = re.split(r"(?<=\.)\s+(?=[A-Z])", text)
    return " ".join(parts[:count])


def report_diagnostics(captured: Captured, asset: Asset) -> None:
    """Composition errors and USD warnings met while reading become L005 issues."""
    unique = list(dict.fromkeys(_first_sentences(m) for m in captured.messages if m))
    for message in unique[:_MAX_DIAGNOSTIC_ISSUES]:
        asset.issue("L005", f"USD reported: {message[:300]}")
    if len(unique) > _MAX_DIAGNOSTIC_ISSUES:
        asset.issue("L005", f"USD reported {len(unique) - _MAX_DIAGNOSTIC_ISSUES} more problems")
