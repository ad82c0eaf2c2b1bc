"""The installer sources agree with the code: the PyInstaller spec ships every resources
folder the code reads, the Windows installer is per-user with per-user file types, the
Linux desktop entry and MIME types are valid and agree, and the About facts are there."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from saferyp_desktop import about

ROOT = Path(__file__).resolve().parents[2]
INSTALLERS = ROOT / "installers"
SPEC = INSTALLERS / "saferyp.spec"
ISS = INSTALLERS / "windows" / "saferyp.iss"
DESKTOP = INSTALLERS / "linux" / "saferyp-desktop.desktop"
MIME = INSTALLERS / "linux" / "saferyp-mime.xml"
EXTENSIONS = ("sypdb", "sypbundle", "sypkey")


def _spec_resource_folders() -> set[str]:
    match = re.search(r"^RESOURCE_FOLDERS = \(([^)]*)\)", SPEC.read_text(encoding="utf-8"), re.M)
    assert match, "the spec lists its data in RESOURCE_FOLDERS"
    return set(re.findall(r'"([^"/]+)"', match.group(1)))


def _folders_the_code_reads() -> set[str]:
    """Every ``resources_dir() / "name"`` in the program's source."""
    found = set()
    for path in (ROOT / "src" / "saferyp_desktop").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'resources_dir\(\)\s*/\s*"([^"/]+)"', text))
    return found


def test_the_spec_ships_every_resources_folder_the_code_reads() -> None:
    read = _folders_the_code_reads()
    assert {"profiles", "schemas", "wordlists"} <= read  # the search itself works
    shipped = _spec_resource_folders()
    assert read - shipped == set(), f"read by the code but not in the spec: {read - shipped}"
    for folder in shipped:
        assert (ROOT / "resources" / folder).is_dir(), f"resources/{folder} does not exist"


def test_every_resources_folder_is_shipped_or_deliberately_not() -> None:
    present = {p.name for p in (ROOT / "resources").iterdir() if p.is_dir()}
    assert present - _spec_resource_folders() == set()


def test_the_spec_names_the_package_modules_and_document_types() -> None:
    text = SPEC.read_text(encoding="utf-8")
    assert 'collect_submodules("saferyp_desktop")' in text  # lazily imported modules
    assert '"PySide6.QtNetwork"' in text  # the program never goes online
    for extension in EXTENSIONS:
        assert f'("{extension}", ' in text, f"no macOS document type for .{extension}"


def _iss_section(name: str) -> list[str]:
    lines, inside = [], False
    for raw in ISS.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            inside = line == f"[{name}]"
            continue
        if inside and line and not line.startswith(";"):
            lines.append(line)
    return lines


def _iss_entries(section: str) -> list[dict[str, str]]:
    entries = []
    for line in _iss_section(section):
        entry = {}
        for part in re.findall(r'(\w+):\s*("(?:[^"]|"")*"|[^;]*)', line):
            key, value = part
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1].replace('""', '"')
            entry[key] = value
        entries.append(entry)
    return entries


def test_the_windows_installer_is_per_user() -> None:
    setup = dict(line.split("=", 1) for line in _iss_section("Setup") if "=" in line)
    assert setup["PrivilegesRequired"] == "lowest"
    assert "PrivilegesRequiredOverridesAllowed" not in setup  # no offer to elevate
    assert setup["DefaultDirName"].startswith(("{userpf}", "{localappdata}\\Programs"))
    assert setup["ChangesAssociations"] == "yes"
    assert "HKLM" not in ISS.read_text(encoding="utf-8")
    assert "{commonprograms}" not in ISS.read_text(encoding="utf-8")


@pytest.mark.parametrize("extension", EXTENSIONS)
def test_the_windows_installer_associates_each_extension_for_this_user(extension: str) -> None:
    entries = _iss_entries("Registry")
    assert entries and all(e["Root"] == "HKCU" for e in entries)
    by_key = {e["Subkey"]: e for e in entries if e.get("ValueName", "") == ""}
    ext = by_key.get(f"Software\\Classes\\.{extension}")
    assert ext, f".{extension} is not registered under HKCU\\Software\\Classes"
    progid = ext["ValueData"]
    command = by_key.get(f"Software\\Classes\\{progid}\\shell\\open\\command")
    assert command, f"{progid} has no open command"
    assert command["ValueData"] == '"{app}\\{#AppExe}" "%1"'
    assert "uninsdeletekey" in by_key[f"Software\\Classes\\{progid}"].get("Flags", "")


def test_the_windows_installer_takes_its_version_from_the_build() -> None:
    text = ISS.read_text(encoding="utf-8")
    assert "AppVersion={#AppVersion}" in text
    assert (
        'GetStringFileInfo(AddBackslash(SourceDir) + "saferyp-desktop.exe", "ProductVersion")'
        in text
    )
    assert "StringStruct('ProductVersion', '{VERSION}')" in SPEC.read_text(encoding="utf-8")


def test_the_desktop_entry_is_valid() -> None:
    validate = shutil.which("desktop-file-validate")
    if validate:
        result = subprocess.run([validate, str(DESKTOP)], capture_output=True, text=True)
        assert result.returncode == 0 and not result.stdout.strip(), result.stdout
    entry = configparser.ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(DESKTOP, encoding="utf-8")
    group = entry["Desktop Entry"]
    assert group["Type"] == "Application"
    assert group["Name"] == "SaferYP Desktop"
    assert group["Exec"].split()[0] == "saferyp-desktop"
    assert group["Exec"].split()[1] in {"%f", "%F", "%u", "%U"}
    assert group["Icon"] == "saferyp-desktop"
    assert group["Terminal"] == "false"


def test_the_desktop_entry_opens_exactly_the_types_the_mime_file_defines() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(DESKTOP, encoding="utf-8")
    opens = {t for t in entry["Desktop Entry"]["MimeType"].split(";") if t}
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    root = ET.parse(MIME).getroot()
    defined = {
        t.get("type"): {g.get("pattern") for g in t.findall("m:glob", ns)}
        for t in root.findall("m:mime-type", ns)
    }
    assert opens == set(defined)
    assert sorted(p for globs in defined.values() for p in globs) == sorted(
        f"*.{e}" for e in EXTENSIONS
    )


@pytest.mark.parametrize("script", ["install.sh", "uninstall.sh"])
def test_the_linux_scripts_are_valid_shell(script: str) -> None:
    path = INSTALLERS / "linux" / script
    result = subprocess.run(["sh", "-n", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    text = path.read_text(encoding="utf-8")
    assert "sudo" not in text  # per user, no root
    assert "$HOME/.local" in text


def test_about_reports_sqlcipher_4() -> None:
    version, crypto = about.sqlcipher_versions()
    assert version is not None and version.startswith("4."), version
    assert crypto  # the crypto library SQLCipher uses, e.g. OpenSSL


def test_about_reports_the_licences_of_the_bundled_libraries() -> None:
    components = about.bundled_components()
    by_name = {c.name.lower().replace("_", "-"): c for c in components}
    for wanted in ("sqlcipher3", "reportlab", "pyrage", "cryptography"):
        assert wanted in by_name, f"{wanted} missing from {sorted(by_name)}"
    pyside = [c for name, c in by_name.items() if name.startswith("pyside6")]
    assert pyside, "PySide6 missing"
    for component in [
        *pyside,
        *(by_name[n] for n in ("sqlcipher3", "reportlab", "pyrage", "cryptography")),
    ]:
        assert component.version
        assert component.licence and component.licence != about.UNKNOWN_LICENCE, component
    assert "LGPL" in pyside[0].licence
    assert by_name["sqlcipher"].inside == "sqlcipher3"
    assert by_name["sqlcipher"].version.startswith("4.")


def test_about_gathers_everything_as_plain_data() -> None:
    facts = about.about()
    assert facts.version == about.program_version()
    assert facts.python.count(".") == 2
    assert facts.qt and facts.pyside
    assert facts.sqlcipher and facts.sqlcipher.startswith("4.")
    text = facts.as_text()
    assert f"SaferYP Desktop {facts.version}" in text
    assert "pyrage" in text


def test_licence_text_is_the_distribution_s_own_file() -> None:
    text = about.licence_text("pyrage")
    assert text and "Permission is hereby granted" in text
    assert about.licence_text("no-such-distribution-here") is None
