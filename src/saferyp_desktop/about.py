"""What the About box shows: versions in use and the licences of the bundled libraries.

Plain data, no Qt widgets, so the desktop program, the command and the tests read the
same facts. Qt and SQLCipher are imported only when asked for, so importing this module
costs nothing at start-up.

Licences come from the installed distributions' own metadata (in a frozen build,
the ``.dist-info`` folders the build copies in): the SPDX ``License-Expression`` where
there is one, else a short ``License`` field, else a ``License ::`` classifier, else
what the distribution's licence file plainly is (MIT, zlib, Apache, BSD).
"""

from __future__ import annotations

import importlib.metadata as metadata
import json
import platform
import re
import sys
from dataclasses import dataclass, field
from importlib.util import find_spec

from saferyp_desktop import __version__

PROGRAM = "SaferYP Desktop"
DISTRIBUTION = "saferyp-desktop"
UNKNOWN_LICENCE = "unknown (see the licence file)"

# What the program needs at run time when its own metadata is not installed (a bare
# source checkout): the dependencies of pyproject.toml.
_DIRECT_DEPENDENCIES = (
    "PySide6-Essentials",
    "sqlcipher3",
    "reportlab",
    "pyrage",
    "cryptography",
    "openpyxl",
    "zxcvbn",
    "fastjsonschema",
    "pypdfium2",
)

# Libraries built into a bundled distribution rather than installed as one.
_EMBEDDED = {
    "pyside6-essentials": (("Qt", "LGPL-3.0-only"),),
    "sqlcipher3": (("SQLCipher", "BSD-3-Clause"), ("OpenSSL", "Apache-2.0")),
    "cryptography": (("OpenSSL", "Apache-2.0"),),
    "pypdfium2": (("PDFium", "BSD-3-Clause AND Apache-2.0"),),
}


@dataclass(frozen=True)
class Component:
    """One bundled library: its name, version and licence."""

    name: str
    version: str
    licence: str
    inside: str = ""  # for a library built into another distribution: that distribution


@dataclass(frozen=True)
class About:
    """Everything the About box shows."""

    program: str
    version: str
    python: str
    platform: str
    qt: str | None
    pyside: str | None
    sqlcipher: str | None
    sqlcipher_crypto: str | None
    components: tuple[Component, ...] = field(default=())

    def as_text(self) -> str:
        """The same facts as plain text, for "Copy details" in a problem report."""
        lines = [
            f"{self.program} {self.version}",
            f"Python {self.python} on {self.platform}",
            f"Qt {self.qt or 'not available'} (PySide6 {self.pyside or 'not available'})",
            f"SQLCipher {self.sqlcipher or 'not available'}"
            + (f" with {self.sqlcipher_crypto}" if self.sqlcipher_crypto else ""),
            "",
            "Bundled libraries:",
        ]
        for c in self.components:
            where = f", in {c.inside}" if c.inside else ""
            lines.append(f"  {c.name} {c.version}: {c.licence}{where}")
        return "\n".join(lines) + "\n"


def program_version() -> str:
    """The installed package's version, else the one in the source."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return __version__


def qt_versions() -> tuple[str | None, str | None]:
    """(Qt's run-time version, PySide6's version), or Nones if PySide6 cannot load."""
    try:
        import PySide6
        from PySide6.QtCore import qVersion
    except ImportError:
        return None, None
    return qVersion(), PySide6.__version__


def sqlcipher_versions() -> tuple[str | None, str | None]:
    """(SQLCipher's version, its crypto library), asked of an in-memory database."""
    try:
        import sqlcipher3
    except ImportError:
        return None, None
    try:
        conn = sqlcipher3.connect(":memory:")
        try:
            version = conn.execute("PRAGMA cipher_version").fetchone()
            # The provider is known only once a key is set; this key protects nothing.
            conn.execute("PRAGMA key = 'about'")
            provider = conn.execute("PRAGMA cipher_provider_version").fetchone()
        finally:
            conn.close()
    except sqlcipher3.Error:
        return None, None
    return (
        version[0] if version and version[0] else None,
        provider[0] if provider and provider[0] else None,
    )


_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(dist: metadata.Distribution) -> list[str]:
    """Names of what ``dist`` needs, leaving out optional extras."""
    names = []
    for requirement in dist.requires or []:
        if re.search(r"\bextra\s*==", requirement):
            continue
        match = _REQUIREMENT_NAME.match(requirement)
        if match:
            names.append(match.group(1))
    return names


def _licence_from_text(text: str) -> str | None:
    head = " ".join(text.split())[:3000]
    lower = head.lower()
    if "Permission is hereby granted, free of charge" in head:
        return "MIT"
    if "Apache License" in head and "Version 2.0" in head:
        return "Apache-2.0"
    if "provided 'as-is'" in lower and "altered source versions" in lower:
        return "Zlib"
    if "Redistribution and use in source and binary forms" in head:
        return "BSD-3-Clause" if "endorse or promote" in head else "BSD-2-Clause"
    return None


def _licence_files(dist: metadata.Distribution) -> list[str]:
    named = dist.metadata.get_all("License-File") or []
    found = []
    for name in named:
        for candidate in (f"licenses/{name}", name):
            text = dist.read_text(candidate)
            if text:
                found.append(text)
                break
    return found


def licence_of(dist: metadata.Distribution) -> str:
    """The licence a distribution declares (SPDX where it gives one)."""
    meta = dist.metadata
    expression = meta.get("License-Expression")
    if expression:
        return expression.strip()
    declared = (meta.get("License") or "").strip()
    if declared and "\n" not in declared and len(declared) <= 60:
        return declared
    classifiers = [
        c.split("::")[-1].strip()
        for c in meta.get_all("Classifier") or []
        if c.startswith("License ::") and c.count("::") >= 2
    ]
    if classifiers:
        return " OR ".join(classifiers)
    for text in _licence_files(dist):
        guessed = _licence_from_text(text)
        if guessed:
            return guessed
    return UNKNOWN_LICENCE


def licence_text(name: str) -> str | None:
    """The full text of a bundled distribution's licence file(s), if it ships them."""
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    texts = _licence_files(dist)
    return "\n\n".join(texts) if texts else None


def bundled_components() -> tuple[Component, ...]:
    """Every library the program runs with, by name: itself excluded, Python included."""
    try:
        roots = _requirements(metadata.distribution(DISTRIBUTION))
    except metadata.PackageNotFoundError:
        roots = list(_DIRECT_DEPENDENCIES)
    seen: dict[str, metadata.Distribution] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        key = _canonical(name)
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a requirement for another platform or Python, not installed here
        seen[key] = dist
        pending.extend(_requirements(dist))

    components = [Component("Python", platform.python_version(), "PSF-2.0")]
    for key, dist in seen.items():
        name = dist.metadata["Name"]
        components.append(Component(name, dist.version, licence_of(dist)))
        for embedded, licence in _EMBEDDED.get(key, ()):
            version = _embedded_version(embedded, key)
            components.append(Component(embedded, version, licence, inside=name))
    components.sort(key=lambda c: c.name.lower())
    return tuple(components)


def _embedded_version(name: str, inside: str) -> str:
    version: str | None = None
    if name == "Qt":
        version = qt_versions()[0]
    elif name == "SQLCipher":
        version = sqlcipher_versions()[0]
    elif name == "OpenSSL" and inside == "sqlcipher3":
        version = sqlcipher_versions()[1]
    elif name == "OpenSSL" and inside == "cryptography":
        try:
            from cryptography.hazmat.backends.openssl import backend

            version = backend.openssl_version_text()
        except ImportError:
            version = None
    elif name == "PDFium":
        version = _pdfium_version()
    if not version:
        return "unknown"
    # "4.19.0 community" → "4.19.0"; "OpenSSL 3.6.0 1 Oct 2025" → "3.6.0"
    words = version.removeprefix("OpenSSL ").split()
    return words[0] if words else "unknown"


def _pdfium_version() -> str | None:
    """PDFium's build number, from pypdfium2's version file (without loading PDFium)."""
    try:
        spec = find_spec("pypdfium2_raw")
        if spec is None or not spec.submodule_search_locations:
            return None
        for folder in spec.submodule_search_locations:
            try:
                with open(f"{folder}/version.json", encoding="utf-8") as f:
                    data = json.load(f)
            except OSError:
                continue
            return ".".join(str(data[k]) for k in ("major", "minor", "build", "patch"))
    except (ImportError, ValueError, KeyError):
        return None
    return None


def about() -> About:
    """Versions and licences, as the About box shows them."""
    qt, pyside = qt_versions()
    sqlcipher, crypto = sqlcipher_versions()
    return About(
        program=PROGRAM,
        version=program_version(),
        python=platform.python_version(),
        platform=f"{platform.system()} {platform.release()} ({platform.machine()})",
        qt=qt,
        pyside=pyside,
        sqlcipher=sqlcipher,
        sqlcipher_crypto=crypto,
        components=bundled_components(),
    )


if __name__ == "__main__":
    sys.stdout.write(about().as_text())
