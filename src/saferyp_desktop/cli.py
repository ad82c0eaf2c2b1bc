"""The ``saferyp`` command (DESIGN.md §7): the same services as the desktop program.

Every failure is one plain sentence on stderr and a non-zero exit code per failure
class (see ``saferyp --help``); a failed command leaves every file as it was.
Passphrases come from a TTY prompt, ``--passphrase-file`` or ``SAFERYP_PASSPHRASE``,
never from the command line itself.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from saferyp_desktop import __version__
from saferyp_desktop.errors import (
    FileAlreadyExists,
    PassphraseUnavailable,
    SaferypError,
    UsageError,
    exit_code_table,
)

if TYPE_CHECKING:
    from saferyp_desktop.services.workspace import Workspace

PASSPHRASE_VARIABLE = "SAFERYP_PASSPHRASE"
NEW_PASSPHRASE_VARIABLE = "SAFERYP_NEW_PASSPHRASE"
BUNDLE_PASSPHRASE_VARIABLE = "SAFERYP_BUNDLE_PASSPHRASE"
EXIT_INTERRUPTED = 130
# A passphrase is its file's first line; never read more than this (e.g. /dev/zero).
MAX_PASSPHRASE_FILE_BYTES = 4096
EXIT_BUG = 1


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one sentence and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message[0].upper()}{message[1:]} (see “saferyp --help”).")


# -- passphrases ---------------------------------------------------------------
def _read_passphrase_file(path: str) -> str:
    try:
        with Path(path).open("rb") as handle:
            text = handle.read(MAX_PASSPHRASE_FILE_BYTES).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        raise UsageError("The passphrase file cannot be read.") from None
    passphrase = text.splitlines()[0] if text else ""
    if not passphrase:
        raise UsageError("The passphrase file is empty.")
    return passphrase


def read_passphrase(file: str | None, variable: str, prompt: str, *, confirm: bool = False) -> str:
    """From the file, else the variable, else a prompt on the terminal."""
    if file:
        return _read_passphrase_file(file)
    value = os.environ.get(variable)
    if value:
        return value
    if not sys.stdin.isatty():
        raise PassphraseUnavailable()
    try:
        passphrase = getpass.getpass(prompt)
        if confirm and getpass.getpass("Type it again: ") != passphrase:
            raise UsageError("The two passphrases are different; nothing was changed.")
    except EOFError:
        raise PassphraseUnavailable() from None
    return passphrase


def _passphrase(args: argparse.Namespace, *, new: bool = False) -> str:
    return read_passphrase(
        args.passphrase_file,
        PASSPHRASE_VARIABLE,
        "Passphrase for the new workspace: " if new else "Workspace passphrase: ",
        confirm=new,
    )


# -- commands ------------------------------------------------------------------
def _out(text: str = "") -> None:
    print(text, flush=True)


def cmd_new(args: argparse.Namespace) -> int:
    from saferyp_desktop.services.workspace import Workspace, WorkspaceDetails

    if args.role == "chair" and args.urn:
        raise UsageError("A chair's workspace has no URN; leave out --urn.")
    details = WorkspaceDetails(
        role=args.role,
        name=args.name or "",
        urn=args.urn or "",
        phase=args.phase or "",
        community_area=args.area or "",
        organisation=args.organisation or "",
    )
    details.validate()
    with Workspace.create(Path(args.file), _passphrase(args, new=True), details) as ws:
        _out(f"Created {Path(args.file).name}, a {args.role} workspace.")
        _out(f"Fingerprint: {ws.keys().fingerprint}")
    return 0


KIND_SINGULARS = {
    "young_person": "young person",
    "adult": "adult",
    "peer_group": "peer group",
    "location": "location or context",
    "strength": "strength",
    "key_concern": "key concern or question",
    "action": "action",
    "meeting": "meeting",
}
KIND_PLURALS = {
    "young_person": "young people",
    "adult": "adults",
    "peer_group": "peer groups",
    "location": "locations and contexts",
    "strength": "strengths",
    "key_concern": "key concerns and questions",
    "action": "actions",
    "meeting": "meetings",
}


def _counted(counts) -> str:
    """``{"adult": 2, "meeting": 1}`` as "2 adults, 1 meeting" (kinds with none left out)."""
    return ", ".join(
        f"{n} {(KIND_SINGULARS if n == 1 else KIND_PLURALS)[kind]}" for kind, n in counts.items() if n
    )


def cmd_demo(args: argparse.Namespace) -> int:
    from saferyp_desktop.services.demo import create_demo_workspace

    with create_demo_workspace(
        Path(args.file), _passphrase(args, new=True), seed=args.seed, size=args.size
    ) as ws:
        counts = ws.table().counts()
        _out(
            f"Created {Path(args.file).name}: a DEMO workspace of fictional data ({ws.details.name})."
        )
        _out(_counted(counts) + ".")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from saferyp_desktop.domain.checks import CHECK_TITLES, Check
    from saferyp_desktop.errors import WorkspaceDamaged
    from saferyp_desktop.services.workspace import Workspace

    with Workspace.open(Path(args.file), _passphrase(args)) as ws:
        report = ws.check()
    if not report.healthy:
        for problem in report.integrity_problems[:20]:
            print(f"  {problem}", file=sys.stderr)
        raise WorkspaceDamaged(
            "This workspace failed its integrity check; restore it from one of its backups."
        )
    _out("Integrity: the encryption and the database are intact.")
    _out(f"Checks for the meeting on {report.meeting_date.isoformat()}:")
    for check in Check:
        found = [f for f in report.findings if f.check == check]
        _out(
            f"  {CHECK_TITLES[check]}: {len(found) or 'no'} finding{'s' if len(found) != 1 else ''}"
        )
        for finding in found:
            _out(f"    {finding.message}")
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    from saferyp_desktop.services.workspace import Workspace

    old = _passphrase(args)
    with Workspace.open(Path(args.file), old) as ws:
        new = read_passphrase(
            args.new_passphrase_file,
            NEW_PASSPHRASE_VARIABLE,
            "New passphrase: ",
            confirm=True,
        )
        if new == old:
            raise UsageError("The new passphrase is the same as the old one; nothing was changed.")
        ws.change_passphrase(new)
    _out(f"The passphrase of {Path(args.file).name} is changed.")
    return 0


def cmd_import_table(args: argparse.Namespace) -> int:
    from saferyp_desktop.services.table_io import import_spreadsheet
    from saferyp_desktop.services.workspace import Workspace

    with Workspace.open(Path(args.file), _passphrase(args)) as ws:
        summary = import_spreadsheet(ws, Path(args.table))
    _out(f"Imported {summary} from {Path(args.table).name}.")
    return 0


def cmd_export_table(args: argparse.Namespace) -> int:
    from saferyp_desktop.domain.levels import DataLevel
    from saferyp_desktop.services.table_io import export_spreadsheet
    from saferyp_desktop.services.workspace import Workspace

    with Workspace.open(Path(args.file), _passphrase(args)) as ws:
        export_spreadsheet(
            ws, Path(args.out), DataLevel(args.level), sheet=args.sheet, overwrite=args.force
        )
    _out(f"Wrote {Path(args.out).name} ({args.level} level).")
    return 0


def cmd_key(args: argparse.Namespace) -> int:
    from saferyp_desktop.services.files import refuse_workspace_files, save_file
    from saferyp_desktop.services.workspace import Workspace

    with Workspace.open(Path(args.file), _passphrase(args)) as ws:
        card = ws.key_card().to_text()
    if args.out:
        out = Path(args.out)
        refuse_workspace_files(out, "key card")
        if os.path.lexists(out) and not args.force:
            raise FileAlreadyExists(f"{out.name} already exists; choose another name or replace it.")
        save_file(out, card.encode("utf-8"), shareable=True, what="key card")
        _out(f"Wrote the key card to {Path(args.out).name}.")
    else:
        sys.stdout.write(card)
    return 0


def cmd_trust(args: argparse.Namespace) -> int:
    from saferyp_desktop.services.exchange import set_chair
    from saferyp_desktop.services.workspace import Workspace

    with Workspace.open(Path(args.file), _passphrase(args)) as ws:
        info = set_chair(ws, args.source)
    if info.replaced is not None:
        _out(
            "Replaced the chair set before"
            + (f" (fingerprint {info.replaced.fingerprint})." if info.replaced.fingerprint else ".")
        )
    who = info.name + (f", {info.organisation}" if info.organisation else "")
    _out(f"Bundles from this workspace will be encrypted to the chair{f' ({who})' if who else ''}:")
    _out(f"  {info.recipient}")
    if info.fingerprint:
        _out(f"Chair's fingerprint: {info.fingerprint} (check it with the chair by phone).")
    else:
        print(info.warning, file=sys.stderr)
    return 0


def _level_words(level: str) -> str:
    return {"full": "full names", "initials": "initials", "codes": "codes only"}[level]


def cmd_bundle(args: argparse.Namespace) -> int:
    from saferyp_desktop.services.exchange import export_bundle, find_meeting, suggested_bundle_name
    from saferyp_desktop.services.workspace import Workspace

    with Workspace.open(Path(args.file), _passphrase(args)) as ws:
        out = args.out
        if not out:
            out = suggested_bundle_name(ws, find_meeting(ws, args.meeting))
        result = export_bundle(
            ws,
            Path(out),
            meeting_id=args.meeting,
            level=args.level,
            include_briefing=not args.no_briefing,
            overwrite=args.force,
        )
        school = ws.details.name
    _out(
        f"Wrote {result.path.name}: bundle {result.sequence} from {school}, for the meeting on "
        f"{result.meeting_date.isoformat()} ({_level_words(result.level.value)}"
        f"{', with the briefing' if result.briefing_included else ''})."
    )
    if result.passphrase is None:
        assert result.chair is not None
        who = f" ({result.chair.name})" if result.chair.name else ""
        _out(f"Encrypted to the chair{who} and to this workspace:")
        for recipient in result.recipients:
            _out(f"  {recipient}")
    else:
        _out("No chair is set, so the bundle is locked with this passphrase. Read it to the")
        _out("chair by phone; never send it with the bundle:")
        _out(f"  {result.passphrase}")
    _out(f"This school's fingerprint (the chair confirms it by phone): {result.fingerprint}")
    return 0


def _bundle_passphrase(args: argparse.Namespace) -> str:
    """The six words of a passphrase bundle: file, variable or prompt, never argv."""
    from saferyp_desktop.errors import BundlePassphraseRequired

    if args.bundle_passphrase_file:
        return _read_passphrase_file(args.bundle_passphrase_file)
    value = os.environ.get(BUNDLE_PASSPHRASE_VARIABLE)
    if value:
        return value
    if not sys.stdin.isatty():
        raise BundlePassphraseRequired(
            "This bundle is locked with a passphrase: type its six words at the prompt, or "
            f"use --bundle-passphrase-file or the {BUNDLE_PASSPHRASE_VARIABLE} variable."
        )
    try:
        return getpass.getpass("Bundle passphrase (the six words from the sender): ")
    except EOFError:
        raise BundlePassphraseRequired() from None


def cmd_open(args: argparse.Namespace) -> int:
    from saferyp_desktop.domain.checks import CHECK_TITLES, Check
    from saferyp_desktop.errors import SignerChanged, UnknownSigner
    from saferyp_desktop.services.exchange import bundle_needs_passphrase, open_bundle
    from saferyp_desktop.services.workspace import Workspace

    with Workspace.open(Path(args.file), _passphrase(args)) as ws:
        if ws.details.role != "chair":
            return _open_outcomes(ws, args)
        bundle = Path(args.bundle)
        passphrase = _bundle_passphrase(args) if bundle_needs_passphrase(bundle) else None
        try:
            result = open_bundle(
                ws,
                bundle,
                accept_new_key=args.accept_new_key,
                replace_key=args.replace_key,
                passphrase=passphrase,
            )
        except UnknownSigner as error:
            shown = getattr(error, "fingerprint", None)
            if not shown:
                raise
            raise UnknownSigner(
                f"This bundle is signed by a key this workspace has not seen (fingerprint "
                f"{shown}); check the fingerprint with the school by phone, then open it "
                f"again with --accept-new-key {shown}."
            ) from None
        except SignerChanged as error:
            shown, before = error.fingerprint, error.previous_fingerprint
            if not shown or not before:
                raise
            raise SignerChanged(
                f"This bundle is signed by a different key from the one this school used before "
                f"(fingerprint {shown}, not {before}), so it was not opened; if the school has "
                f"set up a new workspace, call its DSL on a number you already have and compare "
                f"the new fingerprint, then open it again with --replace-key {shown}."
            ) from None
    meeting = result.meeting_date.isoformat() if result.meeting_date else "no meeting date"
    _out(
        f"Opened submission {result.submission_id}: bundle {result.sequence} from "
        f"{result.school} (URN {result.urn}), for the meeting on {meeting} "
        f"({_level_words(result.level.value)}{'; DEMO data' if result.demo else ''})."
    )
    if result.new_signer:
        _out(f"Fingerprint {result.fingerprint} confirmed: this school's key is now trusted.")
    elif result.replaced_fingerprint:
        _out(
            f"Fingerprint {result.fingerprint} confirmed: this school's new key replaces the key "
            f"with fingerprint {result.replaced_fingerprint}, whose bundles are now refused (its "
            "submissions stay on record)."
        )
    else:
        _out(f"Signed by this school's trusted key, fingerprint {result.fingerprint}.")
    _out(
        (_counted(result.counts) or "No records")
        + "."
    )
    counts = result.finding_counts
    _out("Checks: " + ", ".join(f"{CHECK_TITLES[c]} {counts.get(c, 0)}" for c in Check) + ".")
    if result.superseded:
        _out(
            "It supersedes submission "
            + ", ".join(str(i) for i in result.superseded)
            + " from this school for the same meeting (kept on record)."
        )
    return 0


def _open_outcomes(ws: Workspace, args: argparse.Namespace) -> int:
    """``saferyp open`` in a school's workspace: the outcomes of a meeting from its chair."""
    from saferyp_desktop.services.exchange import bundle_needs_passphrase, open_outcomes

    bundle = Path(args.bundle)
    passphrase = _bundle_passphrase(args) if bundle_needs_passphrase(bundle) else None
    result = open_outcomes(ws, bundle, passphrase=passphrase)
    _out(
        f"Opened the outcomes of the meeting on {result.meeting_date.isoformat()} from "
        f"{result.chair}, signed by the chair this school set (fingerprint {result.fingerprint})."
    )
    if result.added:
        _out(f"Added {_count(len(result.added), 'agreed action')}: {', '.join(result.added)}.")
    if result.updated:
        _out(f"Updated {_count(len(result.updated), 'action')}: {', '.join(result.updated)}.")
    if result.kept_status:
        _out(
            "Kept the status this school had given "
            + ", ".join(result.kept_status)
            + " since the chair's last outcomes."
        )
    if not (result.added or result.updated):
        _out("No actions were agreed for this school, or none changed.")
    if result.unlinked:
        _out(f"Left out {_count(result.unlinked, 'link')} to records this workspace does not hold.")
    what = "added" if result.meeting_added else "marked held"
    _out(f"Meeting {result.meeting_code} on {result.meeting_date.isoformat()} {what}.")
    return 0


def _count(n: int, noun: str, plural: str = "") -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def _meeting_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        from saferyp_desktop.services.exchange import date_hint

        raise UsageError(date_hint(text)) from None


def cmd_briefing(args: argparse.Namespace) -> int:
    from saferyp_desktop.reports.briefing import suggested_briefing_name
    from saferyp_desktop.services.briefing import export_briefing, find_meeting
    from saferyp_desktop.services.workspace import Workspace

    with Workspace.open(Path(args.file), _passphrase(args)) as ws:
        if ws.details.role != "school":
            raise UsageError(
                "Only a school's workspace prints a briefing; a chair prints the pack."
            )
        meeting, planned = find_meeting(ws, args.meeting)
        day = meeting.date
        out = Path(args.out or suggested_briefing_name(day))
        path = export_briefing(
            ws,
            out,
            level=args.level,
            meeting_id=meeting.id if planned else None,
            overwrite=args.force,
        )
    _out(
        f"Wrote {path.name}: the briefing for the meeting on {day.isoformat()} "
        f"({_level_words(args.level)})."
    )
    return 0


def cmd_pack(args: argparse.Namespace) -> int:
    from saferyp_desktop.services.chair import export_pack, suggested_pack_name
    from saferyp_desktop.services.workspace import Workspace

    day = _meeting_date(args.meeting)
    with Workspace.open(Path(args.file), _passphrase(args)) as ws:
        if ws.details.role != "chair":
            raise UsageError(
                "Only a chair's workspace prints the briefing pack; a school prints its briefing."
            )
        out = Path(args.out or suggested_pack_name(day))
        result = export_pack(ws, day, out, level=args.level, overwrite=args.force)
    _out(
        f"Wrote {result.path.name}: the briefing pack for the meeting on {day.isoformat()} "
        f"({_level_words(result.level.value)}; document {result.document_id})."
    )
    _out(f"Schools: {', '.join(result.schools)}.")
    _out(
        f"{_count(result.confirmed_matches, 'match', 'matches')} across schools confirmed; "
        f"{_count(result.actions, 'agreed action')} so far, and blank rows for the meeting."
    )
    return 0


def cmd_outcomes(args: argparse.Namespace) -> int:
    from saferyp_desktop.services.chair import export_outcomes, suggested_outcomes_name
    from saferyp_desktop.services.workspace import Workspace

    day = _meeting_date(args.meeting)
    urn = args.school.strip()
    if not (len(urn) == 6 and urn.isascii() and urn.isdigit()):
        raise UsageError(f"“{urn}” is not a URN: a school's URN is six digits.")
    with Workspace.open(Path(args.file), _passphrase(args)) as ws:
        if ws.details.role != "chair":
            raise UsageError("Only a chair's workspace sends a meeting's outcomes.")
        out = Path(args.out or suggested_outcomes_name(urn, day))
        result = export_outcomes(ws, day, urn, out, overwrite=args.force)
    _out(
        f"Wrote {result.path.name}: outcomes {result.sequence} for {result.school} "
        f"(URN {result.urn}), the meeting on {day.isoformat()}, with "
        f"{_count(len(result.actions), 'agreed action')}"
        + (f" ({', '.join(result.actions)})." if result.actions else ".")
    )
    _out("Encrypted to the school's key from its submission, and to this workspace:")
    _out(f"  {result.recipient}")
    _out(f"Signed by this workspace, fingerprint {result.fingerprint}; the school opens it with")
    _out("“saferyp open”, having set this chair from its key card.")
    return 0


# -- parser --------------------------------------------------------------------
def _exit_codes_text() -> str:
    lines = ["exit codes:"]
    lines += [f"  {code:>3}  {text}" for code, text in exit_code_table()]
    lines.insert(2, f"  {EXIT_BUG:>3}  An unexpected problem (a bug): please report it.")
    lines.append(f"  {EXIT_INTERRUPTED:>3}  Interrupted (Ctrl+C); nothing was changed.")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="saferyp",
        description="SaferYP Desktop: encrypted mapping tables for Safer Young People Community Meetings.",
        epilog="Passphrases come from a prompt, --passphrase-file, or the "
        f"{PASSPHRASE_VARIABLE} variable; never type one on the command line.\n\n"
        + _exit_codes_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"saferyp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, handler: Callable[[argparse.Namespace], int], help_text: str):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("file", metavar="FILE", help="the workspace (.sypdb)")
        p.add_argument(
            "--passphrase-file", metavar="PATH", help="read the passphrase from this file"
        )
        p.set_defaults(handler=handler)
        return p

    p = command("new", cmd_new, "Create a new, empty workspace with its own keys.")
    p.add_argument("--role", choices=["school", "chair"], required=True)
    p.add_argument("--name", help="the school's name, or the chair's")
    p.add_argument("--urn", help="the school's six-digit URN")
    p.add_argument("--phase", help="the school's phase, e.g. secondary")
    p.add_argument("--area", help="the community area")
    p.add_argument("--organisation", help="the chair's organisation")

    p = command("demo", cmd_demo, "Create a workspace of fictional demo data, marked as such.")
    p.add_argument("--size", choices=["typical", "large"], default="typical")
    p.add_argument("--seed", type=int, default=1, help="different seeds make different schools")

    command("check", cmd_check, "Check the workspace's integrity and the four meeting checks.")

    p = command("passwd", cmd_passwd, "Change the workspace's passphrase.")
    p.add_argument(
        "--new-passphrase-file",
        metavar="PATH",
        help=f"read the new passphrase from this file (or {NEW_PASSPHRASE_VARIABLE})",
    )

    p = command("import-table", cmd_import_table, "Import a spreadsheet into the mapping table.")
    p.add_argument(
        "table", metavar="TABLE", help="a .xlsx file from the template, or one .csv sheet"
    )

    p = command("export-table", cmd_export_table, "Export the mapping table as a spreadsheet.")
    p.add_argument("out", metavar="OUT", help="the .xlsx (or .csv for one sheet) to write")
    p.add_argument("--level", choices=["full", "initials", "codes"], default="initials")
    p.add_argument("--sheet", help="with a .csv OUT: the sheet to write, e.g. Adults")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")

    p = command("key", cmd_key, "Print the workspace's key card, or write it to a file.")
    p.add_argument("--out", metavar="CARD", help="write the key card (.sypkey) here")
    p.add_argument("--force", action="store_true", help="replace CARD if it exists")

    p = command("trust", cmd_trust, "School: set the chair that bundles are encrypted to.")
    p.add_argument(
        "source", metavar="CARD|age1...", help="the chair's key card (.sypkey), or its age1… key"
    )

    p = command("bundle", cmd_bundle, "School: write the signed, encrypted bundle for the chair.")
    p.add_argument(
        "--out",
        metavar="BUNDLE",
        help="the .sypbundle to write (default: submission-<URN>-<meeting date>.sypbundle)",
    )
    p.add_argument("--meeting", metavar="YYYY-MM-DD", help="the meeting (default: the next one)")
    p.add_argument("--level", choices=["full", "initials", "codes"], default="full")
    p.add_argument("--no-briefing", action="store_true", help="leave the briefing PDF out")
    p.add_argument("--force", action="store_true", help="replace BUNDLE if it exists")

    p = command(
        "open",
        cmd_open,
        "Verify a bundle and import it: a chair opens a school's submission, a school the "
        "outcomes of a meeting from its chair.",
    )
    p.add_argument("bundle", metavar="BUNDLE", help="the .sypbundle a school or the chair sent")
    keys = p.add_mutually_exclusive_group()
    keys.add_argument(
        "--accept-new-key",
        metavar="FINGERPRINT",
        help="a first bundle from a school: the fingerprint you confirmed with it by phone",
    )
    keys.add_argument(
        "--replace-key",
        metavar="FINGERPRINT",
        help="a school's new workspace signs with a new key: its fingerprint, confirmed with "
        "the school's DSL by phone on a number you already have; the old key is then refused",
    )
    p.add_argument(
        "--bundle-passphrase-file",
        metavar="PATH",
        help=f"read a bundle's six-word passphrase from this file (or {BUNDLE_PASSPHRASE_VARIABLE})",
    )

    p = command("briefing", cmd_briefing, "School: write the PDF briefing for a meeting.")
    p.add_argument(
        "--out", metavar="PDF", help="the PDF to write (default: briefing-<meeting date>.pdf)"
    )
    p.add_argument(
        "--meeting", metavar="YYYY-MM-DD", help="the meeting's date (default: the next meeting)"
    )
    p.add_argument("--level", choices=["full", "initials", "codes"], default="initials")
    p.add_argument("--force", action="store_true", help="replace PDF if it exists")

    p = command("pack", cmd_pack, "Chair: write the printable briefing pack for a meeting.")
    p.add_argument("--meeting", metavar="YYYY-MM-DD", required=True, help="the meeting's date")
    p.add_argument(
        "--out", metavar="PDF", help="the PDF to write (default: pack-<meeting date>.pdf)"
    )
    p.add_argument("--level", choices=["full", "initials", "codes"], default="initials")
    p.add_argument("--force", action="store_true", help="replace PDF if it exists")

    p = command("outcomes", cmd_outcomes, "Chair: write one school's outcomes bundle.")
    p.add_argument("--meeting", metavar="YYYY-MM-DD", required=True, help="the meeting's date")
    p.add_argument("--school", metavar="URN", required=True, help="the school's six-digit URN")
    p.add_argument(
        "--out",
        metavar="BUNDLE",
        help="the .sypbundle to write (default: outcomes-<URN>-<meeting date>.sypbundle)",
    )
    p.add_argument("--force", action="store_true", help="replace BUNDLE if it exists")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = None
    try:
        args = build_parser().parse_args(argv)
        if not getattr(args, "handler", None):
            raise UsageError("Name a command; “saferyp --help” lists them.")
        return args.handler(args)
    except SaferypError as error:
        message = error.message
        # Only a command that has --force can replace a file (not `new`: a workspace).
        if isinstance(error, FileAlreadyExists) and hasattr(args, "force"):
            ending = "or replace it."
            message = (
                message.removesuffix(ending) + "or add --force to replace it."
                if message.endswith(ending)
                else message.removesuffix(".") + " (add --force to replace it)."
            )
        print(message, file=sys.stderr)
        for problem in getattr(error, "problems", [])[:200]:
            print(f"  - {problem}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:
        # The reader (e.g. `head`) stopped listening; that is not a failure of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("Interrupted; nothing was changed.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        if os.environ.get("SAFERYP_DEBUG"):
            raise
        # The message of an unexpected error may quote data; name only its type.
        print(
            f"An unexpected problem ({type(error).__name__}) stopped the command; "
            "please report it. Set SAFERYP_DEBUG=1 to see the details.",
            file=sys.stderr,
        )
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
