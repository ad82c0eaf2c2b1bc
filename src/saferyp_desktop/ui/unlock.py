"""The unlock dialog: the passphrase for one workspace file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from saferyp_desktop.ui.opener import WorkspaceOpener, user_sentence

if TYPE_CHECKING:
    from saferyp_desktop.services.workspace import Workspace


def window_title(path: Path) -> str:
    """The title every window of a workspace carries: the file name, never a person's."""
    return f"SaferYP Desktop — {path.name}"


def _open_workspace(path: Path, passphrase: str) -> Workspace:
    # Imported here, on the worker thread: the services pull in SQLCipher and crypto.
    from saferyp_desktop.services.workspace import Workspace

    workspace = Workspace.open(path, passphrase)
    try:
        workspace.table()  # load the mapping table here too, off the GUI thread
        workspace.record_opened()  # the audit log: a person opened it (ids only, no names)
    except BaseException:
        workspace.close()
        raise
    return workspace



class UnlockDialog(QDialog):
    """Asks for the passphrase of ``path`` and opens the workspace off the GUI thread.

    ``unlocked(workspace)`` is emitted (and the dialog accepted) with the open
    Workspace; a failure leaves the dialog open with the error's one sentence.
    """

    unlocked = Signal(object)

    def __init__(self, path: Path, parent: QWidget | None = None, *, locked: bool = False) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.workspace: Workspace | None = None
        self.setObjectName("unlockDialog")
        self.setWindowTitle(window_title(self.path))
        self.setMinimumWidth(440)

        intro = (
            self.tr("The workspace was locked because the program was not used for a while, "
                    "or because you locked it.")
            if locked
            else ""
        )
        self._intro = QLabel(intro, self)
        self._intro.setWordWrap(True)
        self._intro.setVisible(bool(intro))

        self._prompt = QLabel(self.tr("Passphrase for <b>%1</b>").replace("%1", _html(self.path.name)), self)
        self._prompt.setTextFormat(Qt.TextFormat.RichText)
        self._folder = QLabel(str(self.path.parent), self)
        self._folder.setObjectName("folderLabel")
        self._folder.setEnabled(False)  # shown greyed: where the file is, for reference
        self._folder.setWordWrap(True)

        self.passphrase = QLineEdit(self)
        self.passphrase.setObjectName("passphraseField")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(self.tr("Passphrase"))
        self.passphrase.setAccessibleDescription(self.tr("The passphrase of this workspace"))
        self._prompt.setBuddy(self.passphrase)

        self.message = QLabel("", self)
        self.message.setObjectName("unlockMessage")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Message"))
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox(self)
        self.unlock_button = self.buttons.addButton(
            self.tr("&Unlock"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setAccessibleName(self.tr("Unlock"))
        self.unlock_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        self.buttons.accepted.connect(self._unlock)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self._intro)
        layout.addWidget(self._prompt)
        layout.addWidget(self._folder)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self._opener = WorkspaceOpener(self)
        self._opener.opened.connect(self._on_opened)
        self._opener.failed.connect(self._on_failed)
        self.passphrase.setFocus()

    @property
    def busy(self) -> bool:
        return self._opener.busy

    def _unlock(self) -> None:
        if self._opener.busy:
            return
        passphrase = self.passphrase.text()
        if not passphrase:
            self._show_problem(self.tr("Type the passphrase first."))
            return
        self._set_busy(True)
        path = self.path
        self._opener.start(lambda: _open_workspace(path, passphrase))

    def _on_opened(self, workspace: Workspace) -> None:
        self._set_busy(False)
        self.workspace = workspace
        self.passphrase.clear()
        self.unlocked.emit(workspace)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._show_problem(user_sentence(exc))

    def _show_problem(self, sentence: str) -> None:
        dark = self.palette().window().color().lightness() < 128
        colour = "#ff9aa2" if dark else "#a4262c"  # a calm red, readable on either
        self.message.setStyleSheet(f"QLabel#unlockMessage {{ color: {colour}; }}")
        self.message.setText(sentence)
        self.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)
        self.passphrase.selectAll()

    def _set_busy(self, busy: bool) -> None:
        self.passphrase.setEnabled(not busy)
        self.unlock_button.setEnabled(not busy)
        self.message.setStyleSheet("")
        if busy:
            self.message.setText(self.tr("Unlocking…"))
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.message.setText("")
            self.unsetCursor()

    def done(self, result: int) -> None:  # noqa: D102 - QDialog.done
        # The passphrase never outlives the dialog; a late result is closed unseen.
        self.passphrase.clear()
        if result != QDialog.DialogCode.Accepted:
            self._opener.shutdown()
        super().done(result)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
