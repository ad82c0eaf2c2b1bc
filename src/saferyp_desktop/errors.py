"""Errors a user can act on, each with one plain sentence and its own exit code.

Every layer raises these; the CLI prints ``str(error)`` on stderr and exits with
``error.exit_code``, and the GUI shows the same sentence in a dialog. Anything
else that escapes is a bug. Messages never contain personal data: at most a
file name the user chose, a record code or a count.
"""

from __future__ import annotations


class SaferypError(Exception):
    """Base class: a failure the user can understand and act on."""

    exit_code = 1
    default_message = "Something went wrong."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        return str(self)


class UsageError(SaferypError):
    exit_code = 2
    default_message = "The command was not used correctly."


class PassphraseUnavailable(SaferypError):
    exit_code = 3
    default_message = (
        "No passphrase was given: type it at the prompt, or use --passphrase-file "
        "or the SAFERYP_PASSPHRASE variable."
    )


class WorkspaceNotFound(SaferypError):
    exit_code = 10
    default_message = "There is no workspace at that path."


class WrongPassphrase(SaferypError):
    exit_code = 11
    default_message = "The passphrase is not right for this workspace."


class NotAWorkspace(SaferypError):
    exit_code = 12
    default_message = "This file is not a SaferYP workspace."


class EmptyFile(NotAWorkspace):
    exit_code = 13
    default_message = "This file is empty; it is not a SaferYP workspace."


class PlainDatabase(NotAWorkspace):
    exit_code = 14
    default_message = (
        "This file is an unencrypted database, not a SaferYP workspace; it was not opened."
    )


class WorkspaceDamaged(SaferypError):
    exit_code = 15
    default_message = "This workspace is damaged; restore it from one of its backups."


class WorkspaceTooNew(SaferypError):
    exit_code = 16
    default_message = "This workspace was made by a newer version of SaferYP Desktop; update the program to open it."


class WorkspaceInUse(SaferypError):
    exit_code = 17
    default_message = (
        "This workspace is already open in another window or program; close it there first."
    )


class ReadOnlyLocation(SaferypError):
    exit_code = 18
    default_message = (
        "The workspace's folder cannot be written to; choose a folder you can save in."
    )


class DiskFull(SaferypError):
    exit_code = 19
    default_message = "The disk is full; free some space and try again. Nothing was changed."


class FileAlreadyExists(SaferypError):
    exit_code = 20
    default_message = "A file already exists at that path; choose another name."


class UnsupportedCipher(SaferypError):
    exit_code = 21
    default_message = (
        "This program was built without SQLCipher 4 and cannot open workspaces safely."
    )


class SpreadsheetInvalid(SaferypError):
    """A spreadsheet failed validation; ``problems`` lists every bad cell."""

    exit_code = 30
    default_message = "The spreadsheet has problems; nothing was imported."

    def __init__(self, message: str | None = None, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class SpreadsheetLayout(SpreadsheetInvalid):
    """Sheets or columns are missing or unknown; ``problems`` names each."""

    exit_code = 32
    default_message = "The spreadsheet does not follow the template; nothing was imported."


class SpreadsheetUnreadable(SaferypError):
    exit_code = 31
    default_message = "The spreadsheet cannot be read; save it as .xlsx or .csv and try again."


class RecordInvalid(SaferypError):
    exit_code = 40
    default_message = "The record is not valid."


class RecordNotFound(SaferypError):
    exit_code = 41
    default_message = "There is no such record in this workspace."


class ProfileInvalid(SaferypError):
    exit_code = 42
    default_message = "The local profile file is not valid."


class KeyCardInvalid(SaferypError):
    exit_code = 43
    default_message = "The key card is not valid; ask for a fresh copy."


# -- bundles (DESIGN.md §5; docs/bundle-format.md lists these in the order a reader checks) --
class BundleTooLarge(SaferypError):
    exit_code = 50
    default_message = "The bundle is larger than a SaferYP bundle may be; it was not opened."


class BundleNotAge(SaferypError):
    exit_code = 51
    default_message = "This file is not a SaferYP bundle (it is not an age-encrypted file)."


class BundleDamaged(SaferypError):
    exit_code = 52
    default_message = (
        "The bundle is damaged or incomplete (it failed its integrity check); "
        "ask the sender to send it again."
    )


class BundleNotForThisKey(SaferypError):
    exit_code = 53
    default_message = (
        "This bundle was not encrypted to this workspace's key, so it cannot be opened here."
    )


class BundleWrongPassphrase(SaferypError):
    exit_code = 54
    default_message = "The bundle passphrase is not right; check the six words with the sender."


class BundlePassphraseRequired(SaferypError):
    exit_code = 55
    default_message = "This bundle is locked with a passphrase; ask the sender for its six words."


class BundleKeyRequired(SaferypError):
    exit_code = 56
    default_message = (
        "This bundle is locked to a workspace's key, not a passphrase; "
        "open it in the workspace it was sent to."
    )


class BundleZipInvalid(SaferypError):
    exit_code = 57
    default_message = (
        "The bundle's contents are not a well-formed SaferYP archive; it was not opened."
    )


class BundleMemberUnsafe(SaferypError):
    exit_code = 58
    default_message = (
        "The bundle holds a file with an unsafe name (a folder, or a path outside the "
        "bundle); it was not opened."
    )


class BundleMemberDuplicate(SaferypError):
    exit_code = 59
    default_message = "The bundle holds the same file twice; it was not opened."


class BundleMemberUnexpected(SaferypError):
    exit_code = 60
    default_message = "The bundle holds a file a SaferYP bundle never has; it was not opened."


class BundleMemberMissing(SaferypError):
    exit_code = 61
    default_message = "The bundle is missing one of its files; ask the sender to send it again."


class BundleMemberTooLarge(SaferypError):
    exit_code = 62
    default_message = "A file in the bundle is larger than this program accepts; it was not opened."


class BundleZipBomb(SaferypError):
    exit_code = 63
    default_message = (
        "The bundle unpacks to far more than it says (a “zip bomb”); it was not opened."
    )


class BundleTooNew(SaferypError):
    exit_code = 64
    default_message = (
        "This bundle was made by a newer version of SaferYP Desktop; update the program to open it."
    )


class BundleManifestInvalid(SaferypError):
    exit_code = 65
    default_message = "The bundle's manifest is not valid; it was not opened."


class BundleSignatureInvalid(SaferypError):
    exit_code = 66
    default_message = (
        "The bundle's signature does not match its contents: it was changed after it was "
        "signed, and was not opened."
    )


class BundleMisaddressed(SaferypError):
    exit_code = 67
    default_message = "The bundle was signed for someone else and passed on; it was not opened."


class BundleWrongKind(SaferypError):
    exit_code = 68
    default_message = "This is not the kind of bundle this workspace opens."


class BundleContentsMismatch(SaferypError):
    exit_code = 69
    default_message = "The bundle's files do not match its signed manifest; it was not opened."


class BundleMappingInvalid(SaferypError):
    exit_code = 70
    default_message = (
        "The mapping table in the bundle is not in the expected format; it was not opened."
    )


class UnknownSigner(SaferypError):
    exit_code = 71
    default_message = (
        "This bundle is signed by a key this workspace has not seen; confirm its fingerprint "
        "with the sender by phone before opening it."
    )


class SignerChanged(SaferypError):
    """A known school's bundle signed by another key than the one trusted for it.

    ``fingerprint`` (the bundle's key), ``previous_fingerprint`` (the trusted one),
    ``school``, ``urn`` and ``trusted_since`` (when the trusted key was accepted) are
    set when a bundle is refused, for the dialog that offers to replace the key; None
    otherwise (e.g. a stored submission checked again).
    """

    exit_code = 72
    default_message = (
        "This bundle is signed by a different key from the one this school used before, so "
        "it was not opened; check the new fingerprint with the school's DSL by phone."
    )

    def __init__(
        self,
        message: str | None = None,
        *,
        fingerprint: str | None = None,
        previous_fingerprint: str | None = None,
        school: str | None = None,
        urn: str | None = None,
        trusted_since: str | None = None,
    ) -> None:
        super().__init__(message)
        self.fingerprint = fingerprint
        self.previous_fingerprint = previous_fingerprint
        self.school = school
        self.urn = urn
        self.trusted_since = trusted_since


class FingerprintMismatch(SaferypError):
    exit_code = 73
    default_message = (
        "The fingerprint you confirmed is not the fingerprint of this bundle's signing key; "
        "it was not opened."
    )


class AlreadyImported(SaferypError):
    exit_code = 74
    default_message = "This bundle has already been opened in this workspace."


class Replayed(SaferypError):
    exit_code = 75
    default_message = (
        "This bundle is older than one already opened from the same sender; it was not opened."
    )


class RecipientInvalid(KeyCardInvalid):
    exit_code = 76
    default_message = "That is not an age public key (“age1…”); ask for a fresh copy."


# -- the chair's meeting: the briefing pack and outcomes (DESIGN.md §4, §7) --
class NoSubmissions(SaferypError):
    exit_code = 80
    default_message = (
        "There are no submissions for that meeting in this workspace; open the schools' "
        "bundles first."
    )


class ChairNotVerifiable(SaferypError):
    exit_code = 81
    default_message = (
        "The chair was set from their age key only, so their signature on outcomes cannot be "
        "checked; set the chair from their key card (.sypkey) with “saferyp trust”, then open "
        "the outcomes again."
    )


class NotFromYourChair(SaferypError):
    exit_code = 82
    default_message = (
        "These outcomes are not signed by the chair this school set, so they were not "
        "opened; check with the chair."
    )


class OutcomesForAnotherSchool(SaferypError):
    exit_code = 83
    default_message = "These outcomes are for another school; they were not opened."


class SchoolNotInMeeting(SaferypError):
    exit_code = 84
    default_message = (
        "There is no submission from that school for that meeting in this workspace, so "
        "there is nobody to send its outcomes to."
    )


def exit_code_table() -> list[tuple[int, str]]:
    """Every exit code with the class of failure it stands for, for ``--help``."""
    seen: dict[int, str] = {0: "success"}
    stack = list(SaferypError.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        seen.setdefault(cls.exit_code, cls.default_message)
    return sorted(seen.items())
