"""The chair's inbox: open the bundles schools submit, and list every submission held.

Each bundle is verified off the GUI thread (``services.exchange.open_bundle``). A bundle
locked with a passphrase asks for its six words; a school's first bundle asks the chair
to check its signing key's fingerprint with the school by phone before accepting it; a
bundle from a known school signed with a new key (the school set up a new workspace)
warns, and replaces the school's key only once the chair has ticked that they compared
the new fingerprint by phone. Every refusal shows its one sentence and imports nothing.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from saferyp_desktop.domain.checks import CHECK_TITLES, Check
from saferyp_desktop.domain.records import Kind
from saferyp_desktop.errors import SignerChanged, UnknownSigner
from saferyp_desktop.services import exchange
from saferyp_desktop.services.exchange import OpenResult, SubmissionSummary
from saferyp_desktop.ui.chair.columns import FittedColumns
from saferyp_desktop.ui.chair.refresh import Refresher
from saferyp_desktop.ui.dialogs import dialogs
from saferyp_desktop.ui.sections.detail_models import TextRowsModel
from saferyp_desktop.ui.session import Session
from saferyp_desktop.ui.tasks import Task, TaskContext, error_sentence

BUNDLE_FILTER = "SaferYP bundles (*.sypbundle);;All files (*)"
SubmissionIdRole = Qt.ItemDataRole.UserRole.value + 11
_GREY = QBrush(QColor(128, 128, 128))
_DISPLAY = Qt.ItemDataRole.DisplayRole
_COUNT_WORDS = (
    (Kind.YOUNG_PERSON, "young people"),
    (Kind.ADULT, "adults"),
    (Kind.PEER_GROUP, "groups"),
    (Kind.LOCATION, "places"),
    (Kind.STRENGTH, "strengths"),
)


def _translate(text: str) -> str:
    return QCoreApplication.translate("SubmissionsModel", text)


def counts_text(counts: dict[Kind, int]) -> str:
    """``60 young people · 20 adults · …``: what a submission holds."""
    return " · ".join(f"{counts.get(kind, 0)} {_translate(words)}" for kind, words in _COUNT_WORDS)


def current_submissions(rows: list[SubmissionSummary]) -> list[SubmissionSummary]:
    """Each school's newest submission not superseded, in the order schools first sent."""
    latest: dict[str, SubmissionSummary] = {}
    for row in rows:
        if row.superseded:
            continue
        held = latest.get(row.urn)
        if held is None or row.id > held.id:
            latest[row.urn] = row
    first_seen = {}
    for row in rows:
        first_seen.setdefault(row.urn, row.id)
    return sorted(latest.values(), key=lambda r: first_seen[r.urn])


class SubmissionsModel(TextRowsModel):
    """Every submission held, oldest first; superseded ones greyed."""

    # Everything the chair checks at a glance fits a 1280-pixel window; the records
    # counts (long) come last.
    (NUMBER, SCHOOL, URN, MEETING, FINGERPRINT, SEQUENCE, RECEIVED, STATUS,
     RELEVANT, EVIDENCED, CURRENT, PLAN, RECORDS) = range(13)
    HEADERS: ClassVar[tuple[str, ...]] = (
        "#", "School", "URN", "Meeting", "Fingerprint", "No.", "Received", "Status",
        "Relevant", "Evidenced", "Current", "No plan", "Records",
    )
    WIDTHS: ClassVar[tuple[int, ...]] = (32, 190, 60, 86, 205, 40, 120, 130, 62, 72, 58, 62, 330)
    ELASTIC: ClassVar[tuple[int, ...]] = (SCHOOL, STATUS)  # narrowed (elided) to fit
    WHOLE_IN_TOOLTIP: ClassVar[frozenset[int]] = frozenset(ELASTIC)
    _TIPS: ClassVar[dict[int, str]] = {
        SEQUENCE: "The school's bundle number (each bundle a school sends counts up)",
        FINGERPRINT: "The school's signing key, as checked by phone",
    }
    _CHECK_COLUMNS: ClassVar[dict[int, Check]] = {
        RELEVANT: Check.RELEVANT, EVIDENCED: Check.EVIDENCED, CURRENT: Check.CURRENT,
        PLAN: Check.PLAN,
    }

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[SubmissionSummary] = []

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == _DISPLAY:
            return self._texts[index.row()][index.column()]
        if role == SubmissionIdRole:
            return row.id
        if role == Qt.ItemDataRole.ForegroundRole and row.superseded:
            return _GREY
        if role == Qt.ItemDataRole.TextAlignmentRole and (
            index.column() in self._CHECK_COLUMNS
            or index.column() in (self.NUMBER, self.SEQUENCE)
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() in self._CHECK_COLUMNS:
                check = self._CHECK_COLUMNS[index.column()]
                return _translate("Findings of the “%s” check") % _translate(CHECK_TITLES[check])
            if index.column() in self._TIPS:
                return _translate(self._TIPS[index.column()])
            return self.whole_text(index)
        return None

    def set_submissions(self, rows: list[SubmissionSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._texts = [self._texts_of(row) for row in self._rows]
        self.endResetModel()

    def submission_at(self, row: int) -> SubmissionSummary:
        return self._rows[row]

    def submissions(self) -> list[SubmissionSummary]:
        return list(self._rows)

    def clear(self) -> None:
        self.set_submissions([])

    def _texts_of(self, row: SubmissionSummary) -> list[str]:
        found = row.finding_counts
        if row.superseded:
            status = _translate("Superseded by #%d") % row.superseded_by
        else:
            status = _translate("Current")
        if row.demo:
            status += _translate(" · demo data")
        return [
            str(row.id),
            row.school,
            row.urn,
            row.meeting_date.isoformat() if row.meeting_date else "",
            row.fingerprint,
            str(row.sequence),
            row.received.astimezone().strftime("%Y-%m-%d %H:%M"),
            status,
            *(str(found.get(check, 0)) for check in self._CHECK_COLUMNS.values()),
            counts_text(row.counts),
        ]


def _monospace(size_factor: float = 1.0) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    if size_factor != 1.0:
        font.setPointSizeF(max(font.pointSizeF(), 10) * size_factor)
    return font


def fingerprint_label(fingerprint: str, name: str, parent: QWidget) -> QLabel:
    """A fingerprint to read out by phone: large, monospaced, framed, selectable, and
    spelt out group by group for a screen reader."""
    label = QLabel(fingerprint, parent)
    label.setObjectName("fingerprint")
    label.setFont(_monospace(2.0))
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(name)
    label.setAccessibleDescription(" ".join(fingerprint.replace("-", " ")))
    label.setStyleSheet("QLabel#fingerprint { border: 1px solid palette(mid); padding: 12px; }")
    return label


class FingerprintDialog(QDialog):
    """A school's first bundle: check its key's fingerprint by phone, then accept it."""

    def __init__(self, fingerprint: str, school: str, urn: str, file_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fingerprint = fingerprint
        self.setWindowTitle(self.tr("A school's first bundle"))
        self.setObjectName("fingerprintDialog")
        heading = QLabel(self.tr("Check this fingerprint with the school's DSL by phone before you accept"), self)
        heading.setWordWrap(True)
        bold = heading.font()
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        heading.setFont(bold)
        form = QFormLayout()
        self.school_label = QLabel(school, self)
        self.urn_label = QLabel(urn, self)
        self.file_label = QLabel(file_name, self)
        for label in (self.school_label, self.urn_label, self.file_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if school:
            form.addRow(self.tr("School"), self.school_label)
        if urn:
            form.addRow(self.tr("URN"), self.urn_label)
        form.addRow(self.tr("Bundle"), self.file_label)
        self.fingerprint_label = fingerprint_label(fingerprint, self.tr("Fingerprint"), self)
        explanation = QLabel(
            self.tr("Ask the school's DSL to read out the fingerprint their program shows when "
                    "it exports a bundle. Accept only if every group matches. If it does not, "
                    "cancel: nothing is imported."),
            self,
        )
        explanation.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.accept_button = self.buttons.addButton(
            self.tr("Accept the school's key"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setDefault(True)  # Enter must not accept a key unread
        self.accept_button.setAutoDefault(False)
        self.accept_button.setAccessibleName(self.tr("Accept the school's key"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.fingerprint_label)
        layout.addWidget(explanation)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(max(560, self.fingerprint_label.sizeHint().width() + 60))
        self.adjustSize()

    def text(self) -> str:
        """Everything the dialog says (for tests and screen readers)."""
        return "\n".join(
            label.text() for label in self.findChildren(QLabel) if label.text()
        )


def _day(stamp: str | None) -> str:
    """``12 March 2026`` from a stored ISO timestamp, in local time; "" if there is none."""
    if not stamp:
        return ""
    try:
        when = datetime.fromisoformat(stamp).astimezone()
    except ValueError:
        return ""
    return f"{when.day} {when.strftime('%B %Y')}"


class KeyChangedDialog(QDialog):
    """A known school's bundle signed with a new key: check the new fingerprint by phone,
    then replace the school's key. Cancel (the default) changes nothing."""

    def __init__(self, error: SignerChanged, file_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        fingerprint = error.fingerprint or ""
        self.fingerprint = fingerprint
        self.setWindowTitle(self.tr("A school's key has changed"))
        self.setObjectName("keyChangedDialog")
        icon = QLabel(self)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(48, 48)
        )
        icon.setAccessibleName(self.tr("Warning"))
        since = _day(error.trusted_since)
        if since:
            said = self.tr("The key this school has signed its bundles with since %s has "
                           "changed.") % since
        else:
            said = self.tr("The key this school signs its bundles with has changed.")
        heading = QLabel(said, self)
        heading.setObjectName("keyChangedHeading")
        heading.setWordWrap(True)
        bold = heading.font()
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        heading.setFont(bold)
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(heading, 1)
        form = QFormLayout()
        self.school_label = QLabel(error.school or "", self)
        self.urn_label = QLabel(error.urn or "", self)
        self.file_label = QLabel(file_name, self)
        self.since_label = QLabel(since, self)
        self.previous_label = QLabel(error.previous_fingerprint or "", self)
        self.previous_label.setFont(_monospace())
        self.previous_label.setAccessibleName(self.tr("The key trusted until now"))
        for label in (self.school_label, self.urn_label, self.file_label, self.previous_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if error.school:
            form.addRow(self.tr("School"), self.school_label)
        if error.urn:
            form.addRow(self.tr("URN"), self.urn_label)
        form.addRow(self.tr("Bundle"), self.file_label)
        if since:
            form.addRow(self.tr("Key trusted since"), self.since_label)
        if error.previous_fingerprint:
            form.addRow(self.tr("Fingerprint until now"), self.previous_label)
        new_title = QLabel(self.tr("The new key's fingerprint:"), self)
        self.fingerprint_label = fingerprint_label(fingerprint, self.tr("New fingerprint"), self)
        explanation = QLabel(
            self.tr("A school's key changes when it sets up a new workspace, for example on a "
                    "new laptop; it also changes if someone else is pretending to be the "
                    "school. Call the school's DSL on a number you already have, not one in an "
                    "email or a message that came with the bundle, and ask them to read out the "
                    "fingerprint their program shows. Replace the key only if every group "
                    "matches. If it does not, cancel: nothing is imported and the school's key "
                    "stays as it is."),
            self,
        )
        explanation.setWordWrap(True)
        self.confirm_box = QCheckBox(
            self.tr("&I compared the fingerprint with the school by phone"), self
        )
        self.confirm_box.setAccessibleName(
            self.tr("I compared the fingerprint with the school by phone")
        )
        self.buttons = QDialogButtonBox(self)
        self.replace_button = self.buttons.addButton(
            self.tr("&Replace the key and open"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.replace_button.setAccessibleName(self.tr("Replace the key and open"))
        self.replace_button.setEnabled(False)
        self.replace_button.setAutoDefault(False)  # Enter must never replace a key
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setDefault(True)
        self.confirm_box.toggled.connect(self.replace_button.setEnabled)
        self.buttons.accepted.connect(self._replace)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(new_title)
        layout.addWidget(self.fingerprint_label)
        layout.addWidget(explanation)
        layout.addSpacing(6)
        layout.addWidget(self.confirm_box)
        layout.addWidget(self.buttons)
        self.setTabOrder(self.confirm_box, self.replace_button)
        self.setTabOrder(self.replace_button, self.cancel_button)
        self.confirm_box.setFocus()
        self.setMinimumWidth(max(600, self.fingerprint_label.sizeHint().width() + 60))
        self.adjustSize()

    def _replace(self) -> None:
        if self.confirm_box.isChecked():  # never without the tick, whatever sent the signal
            self.accept()

    def text(self) -> str:
        """Everything the dialog says (for tests and screen readers)."""
        return "\n".join(
            label.text() for label in self.findChildren(QLabel) if label.text()
        )


class PassphraseDialog(QDialog):
    """A bundle locked with a passphrase: type the six words the school read out."""

    def __init__(self, file_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Bundle passphrase"))
        self.setObjectName("bundlePassphraseDialog")
        about = QLabel(
            self.tr("%s is locked with a passphrase. Type the six words the school's DSL "
                    "read out to you, with spaces between them.") % file_name,
            self,
        )
        about.setWordWrap(True)
        self.edit = QLineEdit(self)
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal)  # read out by phone: show what is typed
        self.edit.setFont(_monospace(1.2))
        self.edit.setPlaceholderText(self.tr("six words separated by spaces"))
        self.edit.setAccessibleName(self.tr("Bundle passphrase"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Open the bundle"))
        self.ok_button.setEnabled(False)
        self.edit.textChanged.connect(lambda text: self.ok_button.setEnabled(bool(text.strip())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.edit)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.adjustSize()

    def passphrase(self) -> str:
        return " ".join(self.edit.text().split())


@dataclass
class _Attempt:
    path: Path
    passphrase: str | None = None
    fingerprint: str | None = None  # a first key, accepted
    replace_key: str | None = None  # a school's new key, replacing its old one


_NEEDS_PASSPHRASE = object()


class InboxPage(QWidget):
    """Open bundles, and the table of every submission held."""

    submissionsChanged = Signal(list)  # noqa: N815 - list[SubmissionSummary]
    schoolRequested = Signal(str)  # noqa: N815 - a URN: show that school
    imported = Signal(object)  # OpenResult
    busyChanged = Signal(bool)  # noqa: N815

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: Session | None = session
        self.setObjectName("inbox")
        self.task: Task | None = None  # checking the bundle now, if any
        self.refresher = Refresher(self._refresh_job, self, name="saferyp-submissions")
        self.refresher.gathered.connect(self._gathered)
        self.refresher.failed.connect(self._refresh_failed)
        self.refresher.busyChanged.connect(lambda _busy: self._busy_changed())
        self._was_busy = False
        self._queue: deque[Path] = deque()
        self._attempt: _Attempt | None = None
        self._done_count = 0
        self._batch = 0
        self.results: list[OpenResult] = []  # imported in this window, newest last
        self.fingerprint_dialog: FingerprintDialog | None = None
        self.key_changed_dialog: KeyChangedDialog | None = None
        self.passphrase_dialog: PassphraseDialog | None = None

        title = QLabel(self.tr("Inbox"), self)
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        title.setFont(font)
        intro = QLabel(
            self.tr("Open the bundles schools send you (.sypbundle). Each is checked — "
                    "decrypted in memory, its signature and contents verified — before "
                    "anything is imported. You can also drop bundles onto this window."),
            self,
        )
        intro.setWordWrap(True)
        self.open_button = QPushButton(self.tr("Open bundles…"), self)
        self.open_button.setToolTip(self.tr("Open bundles schools sent (Ctrl+O)"))
        self.open_button.setAccessibleName(self.tr("Open bundles"))
        self.open_button.clicked.connect(self.open_bundles)
        self.view_button = QPushButton(self.tr("Show this school"), self)
        self.view_button.setAccessibleName(self.tr("Show the selected school"))
        self.view_button.clicked.connect(self._show_selected)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setAccessibleName(self.tr("Checking bundles"))
        self.progress.setMaximumWidth(180)
        self.progress.hide()
        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("progressLabel")
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("inboxSummary")
        top = QHBoxLayout()
        top.addWidget(self.open_button)
        top.addWidget(self.view_button)
        top.addWidget(self.progress)
        top.addWidget(self.progress_label, 1)
        top.addWidget(self.summary_label)

        self.model = SubmissionsModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("submissionsTable")
        self.view.setAccessibleName(self.tr("Submissions"))
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.columns = FittedColumns(
            self.view, SubmissionsModel.WIDTHS, fit_through=SubmissionsModel.PLAN,
            elastic=SubmissionsModel.ELASTIC,
        )
        self.view.activated.connect(self._activated)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.empty_label = QLabel(
            self.tr("No submissions yet. Choose “Open bundles…” (Ctrl+O) to open the first."), self
        )
        self.empty_label.setObjectName("inboxEmpty")

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.view, 1)
        self._update_buttons()

    # -- reading ------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """Opening bundles, or reading the submissions."""
        return self._attempt is not None or bool(self._queue) or self.refresher.busy

    def refresh(self) -> None:
        """Read the submissions again from the workspace (off the GUI thread: each one's
        table is rebuilt from its signed bytes and checked); tell whoever listens."""
        self.refresher.refresh()

    def _refresh_job(self):
        if self.session is None:
            return None
        workspace = self.session.workspace
        return lambda: exchange.submissions(workspace)

    def _gathered(self, rows: list[SubmissionSummary]) -> None:
        if self.session is None:
            return
        self.model.set_submissions(rows)
        self._update_summary()
        self.submissionsChanged.emit(rows)

    def _refresh_failed(self, error: BaseException) -> None:
        if self.session is not None:
            dialogs().error(self, self.tr("Submissions not read"), error_sentence(error))

    def _busy_changed(self) -> None:
        busy = self.busy
        if busy != self._was_busy:
            self._was_busy = busy
            self.busyChanged.emit(busy)

    # -- opening bundles ---------------------------------------------------------------------
    def open_bundles(self) -> None:
        """Ask which bundle files to open, then open them one after the other."""
        if self.session is None:
            return
        paths = dialogs().open_files(self, self.tr("Open bundles"), self.tr(BUNDLE_FILTER))
        if paths:
            self.open_paths(paths)

    def open_paths(self, paths: list[Path]) -> None:
        if self.session is None or not paths:
            return
        self._queue.extend(Path(p) for p in paths)
        self._batch += len(paths)
        if self._attempt is None:
            self._next()
            self._busy_changed()

    def _next(self) -> None:
        if self.session is None:
            return
        if not self._queue:
            self._attempt = None
            self._batch = 0
            self._done_count = 0
            self.progress.hide()
            self.progress_label.clear()
            self._update_buttons()
            self.refresh()
            self._busy_changed()
            return
        self._attempt = _Attempt(self._queue.popleft())
        self._done_count += 1
        self._run()

    def _run(self) -> None:
        attempt = self._attempt
        assert attempt is not None and self.session is not None
        workspace = self.session.workspace
        self.progress.show()
        self.progress_label.setText(
            self.tr("Checking %s (%d of %d)…") % (attempt.path.name, self._done_count, self._batch)
        )
        self._update_buttons()
        path, passphrase, fingerprint = attempt.path, attempt.passphrase, attempt.fingerprint
        replace_key = attempt.replace_key

        def job(_context: TaskContext) -> object:
            if passphrase is None and exchange.bundle_needs_passphrase(path):
                return _NEEDS_PASSPHRASE
            return exchange.open_bundle(
                workspace,
                path,
                accept_new_key=fingerprint,
                replace_key=replace_key,
                passphrase=passphrase,
            )

        task = Task(job, self, name="saferyp-open-bundle")
        task.succeeded.connect(self._attempt_done)
        task.failed.connect(self._attempt_failed)
        task.finished.connect(task.deleteLater)
        self.task = task
        task.start()

    def _attempt_done(self, result: object) -> None:
        self.task = None
        attempt = self._attempt
        if attempt is None or self.session is None:
            return
        if result is _NEEDS_PASSPHRASE:
            self._ask_passphrase(attempt)
            return
        assert isinstance(result, OpenResult)
        self.results.append(result)
        self.imported.emit(result)
        self._next()

    def _attempt_failed(self, error: BaseException) -> None:
        self.task = None
        attempt = self._attempt
        if attempt is None or self.session is None:
            return
        if isinstance(error, UnknownSigner) and attempt.fingerprint is None:
            fingerprint = getattr(error, "fingerprint", None)
            if fingerprint:
                self._ask_fingerprint(attempt, error, fingerprint)
                return
        if isinstance(error, SignerChanged) and attempt.replace_key is None and error.fingerprint:
            self._ask_key_change(attempt, error)
            return
        dialogs().error(self, self.tr("Bundle not opened"), error_sentence(error))
        self._next()

    def _ask_passphrase(self, attempt: _Attempt) -> None:
        dialog = PassphraseDialog(attempt.path.name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.passphrase_dialog = dialog

        def finished(result: int) -> None:
            self.passphrase_dialog = None
            if result == QDialog.DialogCode.Accepted and dialog.passphrase():
                attempt.passphrase = dialog.passphrase()
                self._run()
            else:
                self._next()

        dialog.finished.connect(finished)
        dialog.open()

    def _ask_fingerprint(self, attempt: _Attempt, error: UnknownSigner, fingerprint: str) -> None:
        dialog = FingerprintDialog(
            fingerprint,
            str(getattr(error, "school", "") or ""),
            str(getattr(error, "urn", "") or ""),
            attempt.path.name,
            self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.fingerprint_dialog = dialog

        def finished(result: int) -> None:
            self.fingerprint_dialog = None
            if result == QDialog.DialogCode.Accepted:
                attempt.fingerprint = fingerprint
                self._run()
            else:
                self._next()  # nothing imported

        dialog.finished.connect(finished)
        dialog.open()

    def _ask_key_change(self, attempt: _Attempt, error: SignerChanged) -> None:
        dialog = KeyChangedDialog(error, attempt.path.name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.key_changed_dialog = dialog

        def finished(result: int) -> None:
            self.key_changed_dialog = None
            if result == QDialog.DialogCode.Accepted and dialog.confirm_box.isChecked():
                attempt.replace_key = dialog.fingerprint
                self._run()
            else:
                self._next()  # nothing imported, the school's key as it was

        dialog.finished.connect(finished)
        dialog.open()

    # -- the table -------------------------------------------------------------------------
    def selected_submission(self) -> SubmissionSummary | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.submission_at(rows[0].row()) if rows else None

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.schoolRequested.emit(self.model.submission_at(index.row()).urn)

    def _show_selected(self) -> None:
        chosen = self.selected_submission()
        if chosen is not None:
            self.schoolRequested.emit(chosen.urn)

    def _update_buttons(self) -> None:
        live = self.session is not None
        self.open_button.setEnabled(live)  # more bundles wait their turn
        self.view_button.setEnabled(live and self.selected_submission() is not None)
        empty = self.model.rowCount() == 0
        self.empty_label.setVisible(empty)

    def _update_summary(self) -> None:
        rows = self.model.submissions()
        current = current_submissions(rows)
        superseded = sum(1 for r in rows if r.superseded)
        if not rows:
            self.summary_label.clear()
        else:
            text = self.tr("%d schools · %d submissions") % (len(current), len(rows))
            if superseded:
                text += self.tr(" (%d superseded)") % superseded
            self.summary_label.setText(text)
        self._update_buttons()

    def clear(self) -> None:
        """Forget everything shown (the workspace is locking)."""
        self.session = None  # first: a dialog closed below then continues nothing
        self.refresher.stop()
        if self.task is not None:
            self.task.cancel()  # its result, if it still comes, is discarded
            self.task = None
        self._queue.clear()
        self._attempt = None
        for dialog in (self.fingerprint_dialog, self.passphrase_dialog, self.key_changed_dialog):
            if dialog is not None:
                dialog.reject()
        self.model.clear()
        self.results = []
        self.progress.hide()
        self.progress_label.clear()
        self.summary_label.clear()
        self._update_buttons()
