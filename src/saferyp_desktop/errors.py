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


def exit_code_table() -> list[tuple[int, str]]:
    """Every exit code with the class of failure it stands for, for ``--help``."""
    seen: dict[int, str] = {0: "success"}
    stack = list(SaferypError.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        seen.setdefault(cls.exit_code, cls.default_message)
    return sorted(seen.items())
