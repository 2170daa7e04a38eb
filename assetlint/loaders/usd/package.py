"""The file's flavour (usda, usdc, usdz) from its bytes, and a usdz package checked
against the usdz specification (stored, aligned members) before USD opens it."""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from assetlint.model import Asset, LoadError


def sniff_format(path: Path) -> tuple[str, str | None]:
    """("usda"|"usdc"|"usdz", version) from the root layer's content, not its extension."""
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head.startswith(b"PK\x03\x04"):
        return "usdz", _package_version(path)
    return _layer_kind(head)


def _layer_kind(head: bytes) -> tuple[str, str | None]:
    if head.startswith(b"PXR-USDC"):
        major, minor, patch = head[8:11] if len(head) >= 11 else (0, 0, 0)
        return "usdc", f"usdc {major}.{minor}.{patch}"
    match = re.match(rb"#usda\s+([0-9.]+)", head)
    return "usda", f"usda {match.group(1).decode()}" if match else None


def _package_version(path: Path) -> str | None:
    """The version of the first layer in a usdz (the package's root layer)."""
    try:
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
            if not names:
                raise LoadError("USDZ package is empty")
            with package.open(names[0]) as fh:
                return _layer_kind(fh.read(16))[1]
    except (zipfile.BadZipFile, OSError, zlib.error, EOFError) as exc:
        raise LoadError(f"not a readable USDZ package: {exc}") from None


def vet_package(path: Path, asset: Asset) -> None:
    """Report the members of a usdz that nothing reads: names that would land outside the
    package if extracted (absolute, a drive, ``..``), and compressed members (USDZ stores
    members uncompressed; USD cannot read them, and assetlint never inflates one, since
    it may be a zip bomb)."""
    with zipfile.ZipFile(path) as package:
        for info in package.infolist():
            name = info.filename
            parts = name.replace("\\", "/").split("/")
            if parts[0] == "" or ".." in parts or (len(name) > 1 and name[1] == ":"):
                asset.issue(
                    "L006",
                    f"package member {name!r} has a path that leaves the package; not opened",
                    subject=name,
                )
            elif info.compress_type != zipfile.ZIP_STORED:
                asset.issue("L005", compressed(info), subject=name)


def compressed(info: zipfile.ZipInfo) -> str:
    return (
        f"package member {info.filename!r} is compressed ({info.compress_size:,} bytes that "
        f"claim to expand to {info.file_size:,}); USDZ members are stored uncompressed, "
        "so it is not read"
    )
