"""Briefings and bundles, school side: export or print the briefing, export the bundle
for the chair, set the chair, export this school's key card.

:class:`ExportCommands` runs each command from start to end: a small dialog for the
choices (meeting, data level), the file picker through ``dialogs()``, the work off the
GUI thread with a progress dialog (:mod:`ui.tasks`), then the result. The main window
owns one and calls it from its File menu and from the Overview; the app controller
sends the "Prepare for a meeting" wizard's export buttons to it too.

The dialogs are opened window-modal with ``open()``, never ``exec()``: the command goes
on from their ``accepted`` signal, so nothing here runs a nested event loop.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QFontDatabase
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from saferyp_desktop.domain.levels import LEVEL_TITLES, PRINT_DEFAULT, DataLevel
from saferyp_desktop.domain.records import Kind, Meeting
from saferyp_desktop.errors import SaferypError
from saferyp_desktop.services import export
from saferyp_desktop.services.files import save_file
from saferyp_desktop.services.keys import KeyCard, parse_recipient, read_key_card
from saferyp_desktop.ui.dialogs import dialogs
from saferyp_desktop.ui.session import Session
from saferyp_desktop.ui.settings import Preferences
from saferyp_desktop.ui.tasks import Cancelled, Task, TaskContext, error_sentence, run_with_progress

EXPORT_FOLDER_KEY = "exports/folder"  # a folder path only, never a file's content
PDF_FILTER = "PDF documents (*.pdf)"
BUNDLE_FILTER = "SaferYP bundles (*.sypbundle)"
KEY_CARD_FILTER = "SaferYP key cards (*.sypkey)"
KEY_CARD_OPEN_FILTER = "SaferYP key cards (*.sypkey);;All files (*)"


def tr(text: str) -> str:
    return QCoreApplication.translate("ExportDialogs", text)


def level_help(level: DataLevel) -> str:
    """One line saying what a data level means."""
    return {
        DataLevel.FULL: tr("Everyone by the name the school knows them by, with aliases and handles."),
        DataLevel.INITIALS: tr("People by their initials; places and groups keep their labels."),
        DataLevel.CODES: tr("Records by their codes alone (YP-03), without names, notes or descriptions."),
    }[level]


def long_date(value: date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def monospace(point_factor: float = 1.0, bold: bool = False) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    if point_factor != 1.0:
        font.setPointSizeF(max(8.0, font.pointSizeF() * point_factor))
    if bold:
        font.setWeight(QFont.Weight.Bold)
    return font


def _note(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    return label


def _with_suffix(path: Path, suffix: str) -> Path:
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


# -- the choices -------------------------------------------------------------------------------
class MeetingChooser(QComboBox):
    """The workspace's meetings, by date; the next upcoming one chosen unless told."""

    def __init__(self, session: Session, meeting_id: str | None, *, allow_none: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(tr("Meeting"))
        # Long venues must not squeeze the row's label away: the box is as wide as the
        # dialog lets it be, and the list shows each entry in full.
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(24)
        meetings = [
            m for m in session.table().of_kind(Kind.MEETING) if isinstance(m, Meeting)
        ]
        meetings.sort(key=lambda m: (m.date, m.code))
        for meeting in meetings:
            text = long_date(meeting.date)
            if meeting.venue:
                text += f", {meeting.venue}"
            self.addItem(f"{text} ({tr(meeting.status)})", meeting.id)
        if not meetings and allow_none:
            self.addItem(tr("No meeting is planned: the briefing is dated today"), None)
        upcoming = session.workspace.next_meeting()
        wanted = meeting_id or (upcoming.id if upcoming else None)
        index = self.findData(wanted) if wanted else -1
        self.setCurrentIndex(index if index >= 0 else self.count() - 1)

    def meeting_id(self) -> str | None:
        return self.currentData()


class LevelChooser(QGroupBox):
    """The data level, one radio button each, with a line saying what it means."""

    def __init__(self, default: DataLevel, recommended: str, parent: QWidget | None = None,
                 *, help_for: dict[DataLevel, str] | None = None) -> None:
        super().__init__(tr("Data level"), parent)
        self.group = QButtonGroup(self)
        self.buttons: dict[DataLevel, QRadioButton] = {}
        self.helps: dict[DataLevel, QLabel] = {}
        layout = QVBoxLayout(self)
        indent = self.style().pixelMetric(self.style().PixelMetric.PM_ExclusiveIndicatorWidth) + 8
        for level in DataLevel:
            title = tr(LEVEL_TITLES[level])
            if level == default:
                title = f"{title} ({recommended})"
            button = QRadioButton(title, self)
            button.setObjectName(f"level_{level.value}")
            text = (help_for or {}).get(level) or level_help(level)
            button.setAccessibleDescription(text)
            help_label = _note(text, self)
            help_label.setContentsMargins(indent, 0, 0, 4)
            palette = help_label.palette()
            palette.setColor(help_label.foregroundRole(), palette.placeholderText().color())
            help_label.setPalette(palette)
            self.group.addButton(button)
            self.buttons[level] = button
            self.helps[level] = help_label
            layout.addWidget(button)
            layout.addWidget(help_label)
        self.buttons[default].setChecked(True)

    def level(self) -> DataLevel:
        return next(level for level, button in self.buttons.items() if button.isChecked())

    def set_level(self, level: DataLevel) -> None:
        self.buttons[DataLevel(level)].setChecked(True)


class BriefingDialog(QDialog):
    """Which meeting and at what level, for exporting or printing the briefing."""

    def __init__(self, session: Session, meeting_id: str | None, *, printing: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.printing = printing
        self.setObjectName("printBriefingDialog" if printing else "exportBriefingDialog")
        title = tr("Print the briefing") if printing else tr("Export the briefing")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        intro = _note(
            tr("The briefing is the meeting's printable summary of your mapping table, marked "
               "%s on every page.") % session.profile.marking,
            self,
        )
        self.meeting = MeetingChooser(session, meeting_id, allow_none=True, parent=self)
        self.levels = LevelChooser(PRINT_DEFAULT, tr("recommended for printing"), self)
        form = QFormLayout()
        form.addRow(tr("&Meeting:"), self.meeting)
        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton(
            tr("&Print…") if printing else tr("&Save as…"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.ok_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.levels)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(600)

    def meeting_id(self) -> str | None:
        return self.meeting.meeting_id()

    def level(self) -> DataLevel:
        return self.levels.level()


class BundleDialog(QDialog):
    """Which meeting, at what level, with or without the briefing; and to whom it goes."""

    setChairRequested = Signal()  # noqa: N815 - Qt naming

    def __init__(self, session: Session, meeting_id: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportBundleDialog")
        title = tr("Export the bundle for the chair")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        charter = session.profile.charter.short_name
        intro = _note(
            tr("The bundle is your mapping table for the meeting chair, signed by this "
               "workspace and encrypted so only the chair can open it."),
            self,
        )
        self.meeting = MeetingChooser(session, meeting_id, allow_none=False, parent=self)
        full_help = tr(
            "Encrypted to the chair under the information-sharing charter (%s): the chair "
            "needs the detail to find the same adults and places across schools."
        ) % charter
        self.levels = LevelChooser(
            export.DEFAULT_BUNDLE_LEVEL, tr("for the chair"), self,
            help_for={DataLevel.FULL: full_help},
        )
        self.include_briefing = QCheckBox(tr("Include the &briefing (PDF, at initials)"), self)
        self.include_briefing.setChecked(True)
        self.include_briefing.setToolTip(
            tr("The chair can print it for the meeting without the program.")
        )
        self.recipient_box = QGroupBox(tr("Sent to"), self)
        self.recipient_label = _note("", self.recipient_box)
        self.recipient_label.setObjectName("bundleRecipient")
        self.recipient_label.setTextFormat(Qt.TextFormat.RichText)
        self.recipient_label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                                     | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.recipient_label.linkActivated.connect(lambda _link: self.setChairRequested.emit())
        QVBoxLayout(self.recipient_box).addWidget(self.recipient_label)
        self.show_chair(export.chair(session.workspace))

        form = QFormLayout()
        form.addRow(tr("&Meeting:"), self.meeting)
        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton(tr("&Save as…"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.levels)
        layout.addWidget(self.include_briefing)
        layout.addWidget(self.recipient_box)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(600)

    def show_chair(self, chair: export.ChairInfo | None) -> None:
        if chair is None:
            self.recipient_label.setText(
                tr("No chair is set, so the bundle will be locked with six words that you read "
                   "to the chair by phone. <a href='set-chair'>Set the chair…</a>")
            )
        elif chair.fingerprint:
            self.recipient_label.setText(
                tr("The chair %s — fingerprint <b>%s</b>")
                % (_escape(chair.name or tr("(no name)")), chair.fingerprint)
            )
        else:
            self.recipient_label.setText(
                tr("The chair's age key %s… (no key card, so outcomes cannot be verified)")
                % _escape(chair.recipient[:16])
            )

    def meeting_id(self) -> str | None:
        return self.meeting.meeting_id()

    def level(self) -> DataLevel:
        return self.levels.level()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- the result of a bundle ----------------------------------------------------------------------
class BundleResultDialog(QDialog):
    """What to tell the chair: to whom the bundle is encrypted, or the six words."""

    def __init__(self, result: export.BundleResult, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bundleResultDialog")
        title = tr("Bundle ready")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.bundle_result = result
        layout = QVBoxLayout(self)
        saved = _note(
            tr("Saved <b>%s</b> (%s KB, %s, %s).")
            % (
                _escape(result.path.name),
                max(1, round(result.size / 1024)),
                tr(LEVEL_TITLES[result.level]).lower(),
                tr("with the briefing") if result.briefing_included else tr("without the briefing"),
            ),
            self,
        )
        saved.setObjectName("bundleSaved")
        layout.addWidget(saved)

        self.passphrase_label: QLabel | None = None
        self.chair_label: QLabel | None = None
        if result.passphrase is not None:
            heading = QLabel(tr("Read these six words to the chair by phone"), self)
            heading_font = heading.font()
            heading_font.setBold(True)
            heading_font.setPointSizeF(heading_font.pointSizeF() * 1.2)
            heading.setFont(heading_font)
            layout.addWidget(heading)
            words = result.passphrase.split()
            half = (len(words) + 1) // 2
            # Two lines of three words: easier to read out, and it fits the dialog.
            self.passphrase_label = QLabel(
                " ".join(words[:half]) + "\n" + " ".join(words[half:]), self
            )
            self.passphrase_label.setObjectName("bundlePassphrase")
            self.passphrase_label.setFont(monospace(1.8, bold=True))
            self.passphrase_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.passphrase_label.setWordWrap(True)
            self.passphrase_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.passphrase_label.setFrameShape(QFrame.Shape.StyledPanel)
            self.passphrase_label.setContentsMargins(12, 12, 12, 12)
            self.passphrase_label.setAccessibleName(tr("Bundle passphrase"))
            layout.addWidget(self.passphrase_label)
            warning = _note(
                tr("The chair needs these words to open the bundle. Never send them with the "
                   "bundle — not in the same email, message or folder. They are shown only now."),
                self,
            )
            warning.setObjectName("passphraseWarning")
            layout.addWidget(warning)
            layout.addWidget(
                _note(tr("Read out this school's fingerprint too, so the chair knows the "
                         "bundle is from you:"), self)
            )
        else:
            chair = result.chair
            name = chair.name if chair and chair.name else tr("(no name)")
            if chair is not None and chair.fingerprint:
                text = tr("Encrypted to the chair %s — fingerprint <b>%s</b>") % (
                    _escape(name), chair.fingerprint
                )
            else:
                text = tr("Encrypted to the chair's age key (no key card, so the chair's "
                          "fingerprint is not known)")
            self.chair_label = _note(text, self)
            self.chair_label.setObjectName("bundleChair")
            layout.addWidget(self.chair_label)
            layout.addWidget(
                _note(tr("Only the chair can open it. Send it the way your council asks. The "
                         "first time, read this school's fingerprint to the chair by phone:"),
                      self)
            )
        self.fingerprint_label = QLabel(result.fingerprint, self)
        self.fingerprint_label.setObjectName("schoolFingerprint")
        self.fingerprint_label.setFont(monospace(1.3, bold=True))
        self.fingerprint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint_label.setAccessibleName(tr("This school's fingerprint"))
        layout.addWidget(self.fingerprint_label)

        buttons = QDialogButtonBox(self)
        self.open_folder_button = buttons.addButton(tr("Open &folder"), QDialogButtonBox.ButtonRole.ActionRole)
        done = buttons.addButton(
            tr("I have written them down") if result.passphrase else tr("Done"),
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        done.setDefault(True)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)


# -- setting the chair -----------------------------------------------------------------------------
class ChairDialog(QDialog):
    """Choose the chair's key card, or paste their age key; check the fingerprint; save."""

    chairSet = Signal(object)  # noqa: N815 - ChairInfo

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("chairDialog")
        title = tr("Set the chair")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.card: KeyCard | None = None
        self.recipient: str | None = None

        intro = _note(
            tr("Your bundles are encrypted to the meeting chair. Choose the key card (.sypkey) "
               "the chair gave you, or paste the chair's age key (age1…)."),
            self,
        )
        current = export.chair(session.workspace)
        self.current_label = _note("", self)
        self.current_label.setObjectName("currentChair")
        if current is not None:
            self.current_label.setText(
                tr("Now set: %s%s.")
                % (current.name or tr("a chair with no name"),
                   f" — {current.fingerprint}" if current.fingerprint else "")
            )
        self.current_label.setVisible(current is not None)

        self.choose_button = QPushButton(tr("Choose &key card…"), self)
        self.recipient_edit = QLineEdit(self)
        self.recipient_edit.setPlaceholderText(tr("or paste an age key: age1…"))
        self.recipient_edit.setAccessibleName(tr("Chair's age key"))
        self.recipient_edit.setFont(monospace())
        row = QHBoxLayout()
        row.addWidget(self.choose_button)
        row.addWidget(self.recipient_edit, 1)

        self.preview = QGroupBox(tr("The chair"), self)
        self.name_label = QLabel(self.preview)
        self.name_label.setObjectName("chairName")
        self.name_label.setWordWrap(True)
        self.fingerprint_label = QLabel(self.preview)
        self.fingerprint_label.setObjectName("chairFingerprint")
        self.fingerprint_label.setFont(monospace(1.4, bold=True))
        self.fingerprint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint_label.setAccessibleName(tr("Chair's fingerprint"))
        self.check_label = _note(tr("Check this fingerprint with the chair by phone."), self.preview)
        self.check_label.setObjectName("checkFingerprint")
        bold = self.check_label.font()
        bold.setBold(True)
        self.check_label.setFont(bold)
        self.warning_label = _note("", self.preview)
        self.warning_label.setObjectName("chairWarning")
        self.warning_label.setStyleSheet("color: #8a4b00;")
        preview_layout = QVBoxLayout(self.preview)
        for widget in (self.name_label, self.fingerprint_label, self.check_label, self.warning_label):
            preview_layout.addWidget(widget)
        self.problem_label = _note("", self)
        self.problem_label.setObjectName("chairProblem")
        self.problem_label.setStyleSheet("color: #b00020;")

        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton(tr("&Save the chair"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.current_label)
        layout.addLayout(row)
        layout.addWidget(self.preview)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

        self.choose_button.clicked.connect(self.choose_card)
        self.recipient_edit.textChanged.connect(self._recipient_typed)
        self._show()

    # -- choosing ------------------------------------------------------------------------------
    def choose_card(self) -> None:
        path = dialogs().open_file(self, tr("Choose the chair's key card"), tr(KEY_CARD_OPEN_FILTER))
        if path is not None:
            self.load_card(path)

    def load_card(self, path: Path) -> bool:
        try:
            card = read_key_card(Path(path), expect_role="chair")
        except SaferypError as error:
            self.card, self.recipient = None, None
            self._show(error.message)
            return False
        self.card, self.recipient = card, None
        self.recipient_edit.blockSignals(True)
        self.recipient_edit.clear()
        self.recipient_edit.blockSignals(False)
        self._show()
        return True

    def _recipient_typed(self, text: str) -> None:
        self.card = None
        self.recipient = None
        if not text.strip():
            self._show()
            return
        try:
            self.recipient = parse_recipient(text.strip())
        except SaferypError as error:
            self._show(error.message)
            return
        self._show()

    def _show(self, problem: str = "") -> None:
        self.problem_label.setText(problem)
        self.problem_label.setVisible(bool(problem))
        card = self.card
        if card is not None:
            name = card.name + (f", {card.organisation}" if card.organisation else "")
            self.name_label.setText(name)
            self.fingerprint_label.setText(card.fingerprint)
            self.warning_label.clear()
        elif self.recipient is not None:
            self.name_label.setText(tr("A chair known by their age key only (no fingerprint)"))
            self.fingerprint_label.clear()
            self.warning_label.setText(
                tr("With only an age key, outcomes from the chair cannot be verified as "
                   "theirs. Ask the chair for their key card (.sypkey) when you can.")
            )
        self.preview.setVisible(card is not None or self.recipient is not None)
        self.check_label.setVisible(card is not None)
        self.fingerprint_label.setVisible(card is not None)
        self.warning_label.setVisible(self.recipient is not None)
        self.save_button.setEnabled(card is not None or self.recipient is not None)
        self._fit_height()

    def _fit_height(self) -> None:
        """Grow or shrink to what is shown now (a preview, a problem), keeping the width."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        width = max(self.width(), self.minimumWidth())
        height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else layout.sizeHint().height()
        self.resize(width, max(height, layout.minimumSize().height()))

    # -- saving ------------------------------------------------------------------------------------
    def save(self) -> None:
        """Ask for confirmation, then save the chair (the dialog stays open on a problem)."""
        if self.card is not None:
            question = tr(
                "Have you read the fingerprint %s to %s by phone, and do they see the same?"
            ) % (self.card.fingerprint, self.card.name)
            source: KeyCard | str = self.card
        elif self.recipient is not None:
            question = tr(
                "Send bundles to this age key? Outcomes from the chair cannot be verified "
                "without their key card."
            )
            source = self.recipient
        else:
            return
        if not dialogs().confirm(self, tr("Set the chair"), question, tr("Save the chair")):
            return
        try:
            info = export.set_chair(self.session.workspace, source)
        except SaferypError as error:
            dialogs().error(self, tr("Set the chair"), error.message)
            return
        self.chairSet.emit(info)
        self.accept()


# -- the commands -------------------------------------------------------------------------------
def choose_printer(parent: QWidget | None, pages: int) -> QPrinter | None:
    """The system's print dialog; the printer it set up, or None if cancelled."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName("briefing")
    printer.setFromTo(1, pages)
    dialog = QPrintDialog(printer, parent)
    dialog.setMinMax(1, pages)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
    dialog.setWindowTitle(tr("Print the briefing"))
    return printer if dialog.exec() == QDialog.DialogCode.Accepted else None


class ExportCommands(QObject):
    """Export briefing, Print briefing, Export bundle, Set the chair, Export my key card.

    ``finished(message, folder)`` says what was written (folder: where, or None) for the
    window's status bar; ``chairChanged`` comes after a chair is saved; ``bundleExported``
    with the meeting's id, whose record the export changed (now "submitted").
    """

    finished = Signal(str, object)
    chairChanged = Signal()  # noqa: N815 - Qt naming
    bundleExported = Signal(str)  # noqa: N815

    def __init__(self, session: Session, preferences: Preferences, window: QWidget) -> None:
        super().__init__(window)
        self.session: Session | None = session
        self.preferences = preferences
        self.window = window
        self.dialog: QDialog | None = None  # the choice or result dialog open now
        self.chair_dialog: ChairDialog | None = None  # "Set the chair…" from a bundle dialog
        self.task: Task | None = None  # the work running now
        self.last_result: object = None
        # The print dialog; tests put a function here that returns a PDF-file printer.
        self.choose_printer = choose_printer

    @property
    def busy(self) -> bool:
        return self.task is not None and self.task.running

    def close(self) -> None:
        """Forget the workspace (it is locking): close any dialog; drop a running task's result."""
        self.session = None
        if self.task is not None and self.task.running:
            self.task.cancel()
        if self.dialog is not None:
            self.dialog.reject()
            self.dialog = None

    # -- helpers -------------------------------------------------------------------------------
    def _ready(self, parent: QWidget | None) -> bool:
        if self.session is None:
            return False
        if self.busy:
            dialogs().info(parent, tr("Please wait"), tr("An export is still running; wait for it to finish."))
            return False
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            self.dialog.activateWindow()
            return False
        return True

    def _open(self, dialog: QDialog, on_accepted) -> QDialog:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(lambda: on_accepted(dialog))
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _folder(self) -> Path:
        remembered = self.preferences.value(EXPORT_FOLDER_KEY, "")
        if remembered and Path(str(remembered)).is_dir():
            return Path(str(remembered))
        documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return Path(documents) if documents and Path(documents).is_dir() else Path.home()

    def _ask_path(self, parent: QWidget | None, title: str, filters: str, name: str, suffix: str) -> Path | None:
        path = dialogs().save_file(parent, title, tr(filters), str(self._folder() / name))
        if path is None:
            return None
        path = _with_suffix(Path(path), suffix)
        self.preferences.set_value(EXPORT_FOLDER_KEY, str(path.parent))
        return path

    def _failed(self, parent: QWidget | None, title: str, exc: BaseException) -> None:
        if self.session is not None:
            dialogs().error(parent, title, error_sentence(exc))

    def _run(self, parent: QWidget | None, title: str, label: str, job, *, cancellable: bool) -> Task:
        task = run_with_progress(parent, title, label, job, cancellable=cancellable)
        self.task = task
        task.failed.connect(lambda exc: self._failed(parent, title, exc))
        task.finished.connect(lambda: self._task_finished(task))
        return task

    def _task_finished(self, task: Task) -> None:
        if self.task is task:
            self.task = None

    # -- Export briefing… -----------------------------------------------------------------------------
    def export_briefing(self, meeting_id: str | None = None, parent: QWidget | None = None) -> QDialog | None:
        parent = parent or self.window
        if not self._ready(parent):
            return None
        assert self.session is not None
        dialog = BriefingDialog(self.session, meeting_id, printing=False, parent=parent)
        return self._open(dialog, lambda d: self._export_briefing_chosen(d, parent))

    def _export_briefing_chosen(self, dialog: BriefingDialog, parent: QWidget) -> None:
        session = self.session
        if session is None:
            return
        meeting_id, level = dialog.meeting_id(), dialog.level()
        meeting_date = _meeting_date(session, meeting_id)
        title = tr("Export the briefing")
        path = self._ask_path(parent, title, PDF_FILTER, export.suggested_briefing_name(meeting_date), ".pdf")
        if path is None:
            return
        workspace = session.workspace
        existed = path.exists()

        def job(context: TaskContext) -> Path:
            context.check()
            written = export.export_briefing(
                workspace, path, level=level, meeting_id=meeting_id, overwrite=True
            )
            if context.cancelled and not existed:
                # Cancelled while it was being made: nothing is left behind.
                written.unlink(missing_ok=True)
                raise Cancelled()
            return written

        task = self._run(parent, title, tr("Making the briefing at %s…") % tr(LEVEL_TITLES[level]).lower(),
                         job, cancellable=True)
        task.succeeded.connect(lambda written: self._briefing_exported(Path(written), level))
        task.cancelled.connect(
            lambda: self.finished.emit(tr("Export cancelled; no briefing was saved."), None)
        )

    def _briefing_exported(self, path: Path, level: DataLevel) -> None:
        self.last_result = path
        self.finished.emit(
            tr("Briefing saved as %s (%s).") % (path.name, tr(LEVEL_TITLES[level]).lower()), path.parent
        )

    # -- Print briefing… ---------------------------------------------------------------------------
    def print_briefing(self, meeting_id: str | None = None, parent: QWidget | None = None) -> QDialog | None:
        parent = parent or self.window
        if not self._ready(parent):
            return None
        assert self.session is not None
        dialog = BriefingDialog(self.session, meeting_id, printing=True, parent=parent)
        return self._open(dialog, lambda d: self._print_chosen(d, parent))

    def _print_chosen(self, dialog: BriefingDialog, parent: QWidget) -> None:
        session = self.session
        if session is None:
            return
        meeting_id, level = dialog.meeting_id(), dialog.level()
        workspace = session.workspace
        title = tr("Print the briefing")

        def build(context: TaskContext) -> tuple[bytes, int]:
            from saferyp_desktop.ui.printing import page_count  # PDFium: loaded when printing

            pdf = export.briefing_bytes(workspace, level=level, meeting_id=meeting_id)
            context.check()
            return pdf, page_count(pdf)

        task = self._run(parent, title, tr("Making the briefing at %s…") % tr(LEVEL_TITLES[level]).lower(),
                         build, cancellable=True)
        task.succeeded.connect(lambda built: self._print_built(parent, meeting_id, *built))
        task.cancelled.connect(lambda: self.finished.emit(tr("Printing cancelled."), None))

    def _print_built(self, parent: QWidget, meeting_id: str | None, pdf: bytes, pages: int) -> None:
        if self.session is None:
            return
        printer = self.choose_printer(parent, pages)
        if printer is None:
            self.finished.emit(tr("Printing cancelled."), None)
            return
        first, last = 1, pages
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
            first, last = printer.fromPage(), min(printer.toPage() or pages, pages)
        workspace = self.session.workspace
        title = tr("Print the briefing")

        def job(context: TaskContext) -> int:
            from saferyp_desktop.ui.printing import print_pdf

            def progress(done: int, total: int) -> bool:
                context.progress(done, total, tr("Printing page %d of %d…") % (min(done + 1, total), total))
                return not context.cancelled

            printed = print_pdf(pdf, printer, progress, pages=(first, last))
            export.note_briefing_printed(workspace, meeting_id)
            return printed

        task = self._run(parent, title, tr("Printing…"), job, cancellable=True)
        name = printer.printerName() or printer.outputFileName()
        task.succeeded.connect(lambda printed: self._printed(int(printed), name))
        task.cancelled.connect(lambda: self.finished.emit(tr("Printing stopped."), None))

    def _printed(self, printed: int, printer_name: str) -> None:
        self.last_result = printed
        where = Path(printer_name).name if printer_name else tr("the printer")
        self.finished.emit(tr("Sent %d pages of the briefing to %s.") % (printed, where), None)

    # -- Export bundle… ------------------------------------------------------------------------------
    def export_bundle(self, meeting_id: str | None = None, parent: QWidget | None = None) -> QDialog | None:
        parent = parent or self.window
        if not self._ready(parent):
            return None
        assert self.session is not None
        if not self.session.table().of_kind(Kind.MEETING):
            dialogs().error(
                parent, tr("Export the bundle"),
                tr("There is no meeting to send a bundle for; prepare one first (Ctrl+M)."),
            )
            return None
        dialog = BundleDialog(self.session, meeting_id, parent)
        dialog.setChairRequested.connect(lambda: self._set_chair_from(dialog))
        return self._open(dialog, lambda d: self._bundle_chosen(d, parent))

    def _set_chair_from(self, bundle_dialog: BundleDialog) -> None:
        if self.session is None:
            return
        chair_dialog = ChairDialog(self.session, bundle_dialog)
        chair_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        chair_dialog.setWindowModality(Qt.WindowModality.WindowModal)
        chair_dialog.chairSet.connect(lambda info: (bundle_dialog.show_chair(info), self.chairChanged.emit()))
        self.chair_dialog = chair_dialog
        chair_dialog.open()

    def _bundle_chosen(self, dialog: BundleDialog, parent: QWidget) -> None:
        session = self.session
        if session is None:
            return
        meeting_id, level = dialog.meeting_id(), dialog.level()
        include = dialog.include_briefing.isChecked()
        meeting = session.table().get(meeting_id or "")
        if not isinstance(meeting, Meeting):
            return
        workspace = session.workspace
        title = tr("Export the bundle")
        path = self._ask_path(
            parent, title, BUNDLE_FILTER, export.suggested_bundle_name(workspace, meeting), export.BUNDLE_SUFFIX
        )
        if path is None:
            return

        def job(_context: TaskContext) -> export.BundleResult:
            return export.export_bundle(
                workspace, path, meeting_id=meeting.id, level=level,
                include_briefing=include, overwrite=True,
            )

        # Not cancellable: once written, the bundle's six words exist only in this result.
        task = self._run(parent, title, tr("Signing and encrypting the bundle…"), job, cancellable=False)
        task.succeeded.connect(lambda result: self._bundle_exported(result, meeting.id, parent))

    def _bundle_exported(self, result: export.BundleResult, meeting_id: str, parent: QWidget) -> None:
        self.last_result = result
        if self.session is not None:
            self.bundleExported.emit(meeting_id)
        self.finished.emit(
            tr("Bundle saved as %s (%s).") % (result.path.name, tr(LEVEL_TITLES[result.level]).lower()),
            result.path.parent,
        )
        dialog = BundleResultDialog(result, parent)
        folder = result.path.parent
        dialog.open_folder_button.clicked.connect(lambda: open_folder(folder))
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        dialog.open()

    # -- Set the chair… ---------------------------------------------------------------------------------
    def set_chair(self, parent: QWidget | None = None) -> QDialog | None:
        parent = parent or self.window
        if not self._ready(parent):
            return None
        assert self.session is not None
        dialog = ChairDialog(self.session, parent)
        dialog.chairSet.connect(lambda info: self._chair_set(info))
        return self._open(dialog, lambda _d: None)

    def _chair_set(self, info: export.ChairInfo) -> None:
        self.chairChanged.emit()
        who = info.name or tr("the chair")
        self.finished.emit(tr("Bundles now go to %s.") % who, None)

    # -- Export my key card… ----------------------------------------------------------------------------
    def export_key_card(self, parent: QWidget | None = None) -> Path | None:
        parent = parent or self.window
        if self.session is None:
            return None
        workspace = self.session.workspace
        title = tr("Export my key card")
        path = self._ask_path(
            parent, title, KEY_CARD_FILTER, export.suggested_key_card_name(workspace), export.KEY_CARD_SUFFIX
        )
        if path is None:
            return None
        try:
            save_file(path, export.key_card_text(workspace).encode("utf-8"), shareable=True)
        except (SaferypError, OSError) as error:
            dialogs().error(parent, title, error_sentence(error))
            return None
        self.finished.emit(
            tr("Key card saved as %s; it holds public keys only and is safe to share.") % path.name,
            path.parent,
        )
        return path


def _meeting_date(session: Session, meeting_id: str | None) -> date:
    meeting = session.table().get(meeting_id) if meeting_id else None
    return meeting.date if isinstance(meeting, Meeting) else date.today()


def open_folder(folder: Path) -> None:
    """Show a folder in the system's file manager."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


__all__ = [
    "BriefingDialog",
    "BundleDialog",
    "BundleResultDialog",
    "ChairDialog",
    "ExportCommands",
    "LevelChooser",
    "MeetingChooser",
    "choose_printer",
    "open_folder",
]
