"""Text every output format can carry, whatever a hostile file put in its names.

A mesh named ``"\\ud800x"`` (a lone surrogate, legal in JSON's escapes), a file name with
bytes that are not UTF-8 (decoded by Python as surrogate escapes), an escape sequence
that would recolour a terminal or a control character XML forbids must neither crash a
writer (``UnicodeEncodeError``, ``ExpatError``: the whole batch's report lost) nor reach
a reader raw. Each writer passes its strings through the function for its format:

- :func:`unicode_text` for JSON (SARIF, GitLab): lone surrogates become U+FFFD, the
  replacement character; JSON escapes control characters itself.
- :func:`terminal_text` for text and GitHub annotations: also control characters (but
  tab) written as visible ``\\xNN`` escapes, so no line can be forged or recoloured.
- :func:`xml_text` for JUnit and HTML: the same escapes for every code point XML 1.0 does
  not allow (C0 controls but tab, LF and CR; U+FFFE, U+FFFF).
"""

from __future__ import annotations

import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")
# Everything outside XML 1.0's Char production, surrogates aside (replaced before).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def unicode_text(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD: encodable as UTF-8."""
    return _SURROGATE.sub("\ufffd", text)


def terminal_text(text: str) -> str:
    """One line of printable text: surrogates replaced, control characters but tab escaped."""
    return _CONTROL.sub(_escape, unicode_text(text))


def xml_text(text: str) -> str:
    """Text an XML 1.0 document may hold (escaping of ``<`` and ``&`` is the writer's)."""
    return _NOT_XML.sub(_escape, unicode_text(text))


def json_safe(value: Any) -> Any:
    """``value`` (JSON-like data) with every string, keys included, made encodable."""
    if isinstance(value, str):
        return unicode_text(value)
    if isinstance(value, dict):
        return {json_safe(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value
