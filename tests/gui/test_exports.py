"""Briefings and bundles, school side, driven as a DSL would on the fictional demo school:
export and print the briefing, export the bundle, set the chair, export the key card.

Real workspaces in tmp_path; file pickers and message boxes are scripted; the files
written are checked with the tools a recipient would use (qpdf, pdftotext, pdfinfo,
and the bundle reader with the six words or the chair's own key).
"""

from __future__ import annotations

import gc
import shutil
import stat
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMarginsF, QSettings, Qt, QTimer
from PySide6.QtGui import QPageLayout
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QPushButton, QWizard

from saferyp_desktop.crypto.bundle import read_bundle
from saferyp_desktop.domain.levels import DataLevel
from saferyp_desktop.domain.records import Kind, Meeting, MeetingStatus
from saferyp_desktop.errors import BundleKeyRequired
from saferyp_desktop.services import export
from saferyp_desktop.services.demo import create_demo_workspace
from saferyp_desktop.services.keys import read_key_card
from saferyp_desktop.services.prepare import Step
from saferyp_desktop.services.workspace import Workspace, WorkspaceDetails
from saferyp_desktop.ui import dialogs as dialog_service
from saferyp_desktop.ui.app_controller import AppController
from saferyp_desktop.ui.export_dialogs import (
    BriefingDialog,
    BundleDialog,
    BundleResultDialog,
    ChairDialog,
    ExportCommands,
)
from saferyp_desktop.ui.main_window import MainWindow
from saferyp_desktop.ui.printing import page_count, print_pdf
from saferyp_desktop.ui.session import Session
from saferyp_desktop.ui.settings import Preferences
from saferyp_desktop.ui.tasks import Cancelled, Task

PASSPHRASE = "lantern orchard velvet tundra"
LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
DEMO_URN = "990001"
EXPORT_TIMEOUT_MS = 60_000
# A freeze, not a figure: work done on the GUI thread (or holding Python's lock, as
# pyrage's scrypt did) stops the window for 1.5 s or more; a busy machine adds jitter of
# a tenth of a second. The 100 ms target itself is a benchmark figure (tests/bench).
BLOCK_LIMIT_S = 0.750

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdfinfo") and shutil.which("pdftoppm")),
    reason="poppler's pdftotext, pdfinfo and pdftoppm are needed",
)
needs_qpdf = pytest.mark.skipif(not shutil.which("qpdf"), reason="qpdf is needed")


class RecordingDialogs(dialog_service.ScriptedDialogs):
    """Scripted answers, and the file names the save pickers suggested."""

    def __init__(self) -> None:
        super().__init__()
        self.suggested: list[str] = []

    def save_file(self, parent, title, filters, suggested=""):  # noqa: D102
        self.suggested.append(suggested)
        return super().save_file(parent, title, filters, suggested)


# -- fixtures -------------------------------------------------------------------------------
@pytest.fixture
def scripted() -> Iterator[RecordingDialogs]:
    service = RecordingDialogs()
    previous = dialog_service.install(service)
    yield service
    dialog_service.install(previous)


@pytest.fixture
def preferences(tmp_path: Path) -> Preferences:
    return Preferences(QSettings(str(tmp_path / "preferences.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Workspace]:
    workspace = create_demo_workspace(tmp_path / "demo.sypdb", PASSPHRASE, seed=1)
    yield workspace
    workspace.close()


@pytest.fixture
def session(demo: Workspace) -> Session:
    return Session(demo)


@pytest.fixture
def window(qtbot, session: Session, preferences: Preferences, scripted) -> Iterator[MainWindow]:
    window = MainWindow(session, preferences)
    qtbot.addWidget(window)
    window.show()
    yield window
    if window.exports is not None:
        qtbot.waitUntil(lambda: not window.exports.busy, timeout=EXPORT_TIMEOUT_MS)
    window.clear()


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def chair_workspace(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.create(
        tmp_path / "chair.sypdb",
        PASSPHRASE,
        WorkspaceDetails(role="chair", name="Test Chair One", organisation="Test Council"),
    )
    yield workspace
    workspace.close()


@pytest.fixture
def chair_card(chair_workspace: Workspace, tmp_path: Path) -> Path:
    path = tmp_path / "chair.sypkey"
    path.write_text(chair_workspace.key_card().to_text(), encoding="utf-8")
    return path


# -- helpers -----------------------------------------------------------------------------------
def young_people_names(session: Session) -> list[str]:
    return [r.name for r in session.table().of_kind(Kind.YOUNG_PERSON)]  # type: ignore[attr-defined]


def next_meeting(session: Session) -> Meeting:
    meeting = session.workspace.next_meeting()
    assert meeting is not None, "the demo school has an upcoming meeting"
    return meeting


def run_dialog(qtbot, exports: ExportCommands, button) -> None:
    """Press the dialog's button and wait until the work it starts has ended."""
    with qtbot.waitSignal(exports.finished, timeout=EXPORT_TIMEOUT_MS):
        qtbot.mouseClick(button, LEFT)
    qtbot.waitUntil(lambda: not exports.busy, timeout=EXPORT_TIMEOUT_MS)


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


class Heartbeat:
    """A 10 ms timer on the GUI thread; the longest wait between two ticks is how long the
    GUI thread was blocked."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.worst = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def __enter__(self) -> Heartbeat:
        self.last = time.perf_counter()
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.stop()
        self._tick()


# -- export the briefing ----------------------------------------------------------------------------
@needs_poppler
@needs_qpdf
def test_export_briefing_at_initials_from_the_menu(
    qtbot, window: MainWindow, session: Session, scripted: RecordingDialogs, out: Path,
    preferences: Preferences,
) -> None:
    meeting = next_meeting(session)
    scripted.paths.append(out / "briefing.pdf")
    qtbot.keyClick(window, Qt.Key.Key_E, CTRL)
    dialog = window.exports.dialog
    assert isinstance(dialog, BriefingDialog) and dialog.isVisible()
    assert dialog.meeting.meeting_id() == meeting.id  # the next meeting, unless told
    assert dialog.level() == DataLevel.INITIALS  # printed documents default to initials
    for level, button in dialog.levels.buttons.items():
        assert dialog.levels.helps[level].text(), f"{level} says what it means"
        assert button.accessibleDescription()
    assert "recommended for printing" in dialog.levels.buttons[DataLevel.INITIALS].text()

    run_dialog(qtbot, window.exports, dialog.ok_button)

    assert scripted.suggested[-1].endswith(f"briefing-{meeting.date.isoformat()}.pdf")
    written = out / "briefing.pdf"
    assert written.is_file()
    subprocess.run(["qpdf", "--check", str(written)], check=True, capture_output=True)
    text = pdf_text(written)
    assert "OFFICIAL-SENSITIVE" in text
    leaked = [name for name in young_people_names(session) if name in text]
    assert not leaked, f"{len(leaked)} full names of young people are in an initials briefing"
    assert not scripted.shown, scripted.shown  # no error
    message = window.statusBar().currentMessage()
    assert message.startswith("Briefing saved as briefing.pdf")
    assert window.open_folder_label.isVisible()
    assert window._export_folder == out
    assert preferences.value("exports/folder") == str(out)
    assert ("briefing printed", [meeting.id]) in _audit(session.workspace)


def _audit(workspace: Workspace) -> list[tuple[str, list[str]]]:
    return [(event, ids) for _at, event, ids in workspace.repo.audit_events()]


def test_cancelling_the_briefing_leaves_no_file(
    qtbot, window: MainWindow, scripted: RecordingDialogs, out: Path
) -> None:
    scripted.paths.append(out / "cancelled.pdf")
    dialog = window.export_briefing()
    qtbot.mouseClick(dialog.ok_button, LEFT)
    task = window.exports.task
    assert task is not None and task.running
    cancel = task.progress_dialog.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "Cancel"
    with qtbot.waitSignal(task.cancelled, timeout=EXPORT_TIMEOUT_MS):
        cancel.click()
    assert not (out / "cancelled.pdf").exists()
    assert list(out.iterdir()) == []
    assert "cancelled" in window.statusBar().currentMessage()
    assert not window.open_folder_label.isVisible()


def test_a_failed_export_is_one_sentence(
    qtbot, window: MainWindow, scripted: RecordingDialogs, tmp_path: Path
) -> None:
    scripted.paths.append(tmp_path / "no-such-folder" / "briefing.pdf")
    dialog = window.export_briefing()
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: not window.exports.busy and bool(scripted.shown), timeout=EXPORT_TIMEOUT_MS)
    kind, title, sentence = scripted.shown[-1]
    assert kind == "error" and title == "Export the briefing"
    assert sentence == "The folder for briefing.pdf does not exist."


def test_choosing_no_file_does_nothing(qtbot, window: MainWindow, scripted: RecordingDialogs) -> None:
    dialog = window.export_briefing()  # the picker answers None: cancelled
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert window.exports.task is None and not scripted.shown


# -- export the bundle ------------------------------------------------------------------------------
def test_bundle_without_a_chair_shows_six_words_that_open_it(
    qtbot, window: MainWindow, session: Session, scripted: RecordingDialogs, out: Path
) -> None:
    meeting = next_meeting(session)
    target = out / "for-the-chair.sypbundle"
    scripted.paths.append(target)
    qtbot.keyClick(window, Qt.Key.Key_E, CTRL | SHIFT)
    dialog = window.exports.dialog
    assert isinstance(dialog, BundleDialog)
    assert dialog.level() == DataLevel.FULL
    assert "information-sharing charter" in dialog.levels.helps[DataLevel.FULL].text()
    assert dialog.include_briefing.isChecked()
    assert "six words" in dialog.recipient_label.text()

    run_dialog(qtbot, window.exports, dialog.ok_button)

    assert scripted.suggested[-1].endswith(f"submission-{DEMO_URN}-{meeting.date.isoformat()}.sypbundle")
    result = window.exports.dialog
    assert isinstance(result, BundleResultDialog) and result.isVisible()
    assert result.passphrase_label is not None and result.chair_label is None
    words = result.passphrase_label.text().split()
    assert len(words) == 6
    assert result.fingerprint_label.text() == session.workspace.keys().fingerprint
    verified = read_bundle(target.read_bytes(), passphrase=" ".join(words), expect_kind="submission")
    assert verified.sender_urn == DEMO_URN
    assert verified.mapping["data_level"] == "full"
    assert verified.briefing is not None and verified.briefing.startswith(b"%PDF")
    # The meeting is now "submitted", and the window shows it.
    assert session.table().get(meeting.id).status == MeetingStatus.SUBMITTED.value
    window.show_section("overview")
    assert "submitted" in window.overview.meeting_label.text()
    assert window.statusBar().currentMessage().startswith("Bundle saved as for-the-chair.sypbundle")
    result.accept()


def test_bundle_needs_a_meeting(qtbot, tmp_path: Path, preferences: Preferences, scripted) -> None:
    workspace = Workspace.create(
        tmp_path / "empty.sypdb", PASSPHRASE, WorkspaceDetails(name="Test School", urn="123456")
    )
    session = Session(workspace)
    window = MainWindow(session, preferences)
    qtbot.addWidget(window)
    try:
        assert window.export_bundle() is None
        assert scripted.shown[-1][0] == "error"
        assert "no meeting" in scripted.shown[-1][2]
        # The briefing can still be made, dated today.
        dialog = window.export_briefing()
        assert dialog.meeting.meeting_id() is None
        assert "dated today" in dialog.meeting.currentText()
        dialog.reject()
    finally:
        window.clear()
        session.close()


def test_the_overview_offers_the_exports_for_the_next_meeting(qtbot, window: MainWindow) -> None:
    window.show_section("overview")
    qtbot.mouseClick(window.overview.briefing_button, LEFT)
    assert isinstance(window.exports.dialog, BriefingDialog)
    window.exports.dialog.reject()
    qtbot.mouseClick(window.overview.bundle_button, LEFT)
    assert isinstance(window.exports.dialog, BundleDialog)
    window.exports.dialog.reject()


def test_locking_during_an_export_shows_nothing_afterwards(
    qtbot, window: MainWindow, session: Session, scripted: RecordingDialogs, out: Path
) -> None:
    scripted.paths.append(out / "locked.pdf")
    dialog = window.export_briefing()
    qtbot.mouseClick(dialog.ok_button, LEFT)
    task = window.exports.task
    assert task is not None and task.running
    window.clear()  # what the app controller does when the workspace locks
    session.close()
    qtbot.waitUntil(lambda: not task.running, timeout=EXPORT_TIMEOUT_MS)
    assert not scripted.shown  # no error and no result over a locked window
    assert window.statusBar().currentMessage() == ""
    assert not window.export_briefing_action.isEnabled()
    assert window.export_briefing() is None


# -- the chair ----------------------------------------------------------------------------------------
def test_set_the_chair_from_a_key_card_then_bundles_open_with_the_chairs_key(
    qtbot, window: MainWindow, session: Session, scripted: RecordingDialogs, out: Path,
    chair_card: Path, chair_workspace: Workspace,
) -> None:
    chair_fingerprint = chair_workspace.keys().fingerprint
    window.show_section("overview")
    overview = window.overview
    assert "No chair set" in overview.chair_label.text()
    assert overview.chair_button.text() == "Set the chair…"

    qtbot.mouseClick(overview.chair_button, LEFT)
    dialog = window.exports.dialog
    assert isinstance(dialog, ChairDialog)
    assert not dialog.save_button.isEnabled()
    scripted.paths.append(chair_card)
    qtbot.mouseClick(dialog.choose_button, LEFT)
    assert dialog.fingerprint_label.text() == chair_fingerprint
    assert "Test Chair One" in dialog.name_label.text()
    assert dialog.check_label.isVisible()
    assert dialog.check_label.text() == "Check this fingerprint with the chair by phone."
    assert dialog.save_button.isEnabled()

    scripted.answers.append(False)  # not yet checked by phone: nothing is saved
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert export.chair(session.workspace) is None and dialog.isVisible()
    scripted.answers.append(True)
    qtbot.mouseClick(dialog.save_button, LEFT)
    confirm = [s for s in scripted.shown if s[0] == "confirm"][-1]
    assert chair_fingerprint in confirm[2]
    assert not dialog.isVisible()

    saved = export.chair(session.workspace)
    assert saved is not None and saved.fingerprint == chair_fingerprint
    assert overview.chair_fingerprint_label.text() == chair_fingerprint
    assert "Test Chair One" in overview.chair_label.text()
    assert overview.chair_button.text() == "Change the chair…"

    # A bundle exported now opens with the chair's identity, and has no six words.
    target = out / "to-chair.sypbundle"
    scripted.paths.append(target)
    bundle_dialog = window.export_bundle()
    assert chair_fingerprint in bundle_dialog.recipient_label.text()
    run_dialog(qtbot, window.exports, bundle_dialog.ok_button)
    result = window.exports.dialog
    assert isinstance(result, BundleResultDialog)
    assert result.passphrase_label is None
    assert "Encrypted to the chair Test Chair One" in result.chair_label.text()
    assert chair_fingerprint in result.chair_label.text()
    data = target.read_bytes()
    verified = read_bundle(data, identity=chair_workspace.keys().age_identity, expect_kind="submission")
    assert verified.sender_urn == DEMO_URN
    with pytest.raises(BundleKeyRequired):  # no six words open it
        read_bundle(data, passphrase="one two three four five six")
    result.accept()


def test_a_plain_age_key_warns_and_a_wrong_card_is_one_sentence(
    qtbot, window: MainWindow, session: Session, scripted: RecordingDialogs, tmp_path: Path,
    chair_workspace: Workspace,
) -> None:
    dialog = window.set_chair()
    # The school's own key card is not a chair's.
    own = tmp_path / "own.sypkey"
    own.write_text(session.workspace.key_card().to_text(), encoding="utf-8")
    scripted.paths.append(own)
    qtbot.mouseClick(dialog.choose_button, LEFT)
    assert dialog.problem_label.isVisible() and dialog.problem_label.text().endswith(".")
    assert not dialog.save_button.isEnabled()
    # A mistyped age key.
    qtbot.keyClicks(dialog.recipient_edit, "age1notakey")
    assert dialog.problem_label.isVisible() and not dialog.save_button.isEnabled()
    # A real one: saved, with the warning that outcomes cannot be verified.
    dialog.recipient_edit.clear()
    qtbot.keyClicks(dialog.recipient_edit, chair_workspace.keys().age_recipient)
    assert not dialog.problem_label.isVisible()
    assert dialog.warning_label.isVisible() and "cannot be verified" in dialog.warning_label.text()
    assert not dialog.check_label.isVisible()
    qtbot.mouseClick(dialog.save_button, LEFT)
    saved = export.chair(session.workspace)
    assert saved is not None and saved.recipient == chair_workspace.keys().age_recipient
    assert saved.fingerprint is None
    window.show_section("overview")
    assert "age key only" in window.overview.chair_label.text()


def test_export_my_key_card_from_the_overview(
    qtbot, window: MainWindow, session: Session, scripted: RecordingDialogs, out: Path
) -> None:
    window.show_section("overview")
    target = out / "my-card"
    scripted.paths.append(target)
    qtbot.mouseClick(window.overview.export_key_button, LEFT)
    assert scripted.suggested[-1].endswith(f"key-card-{DEMO_URN}.sypkey")
    written = out / "my-card.sypkey"  # the suffix is added
    card = read_key_card(written, expect_role="school")
    assert card.fingerprint == window.overview.fingerprint_label.text()
    assert card.fingerprint == session.workspace.keys().fingerprint
    assert "AGE-SECRET-KEY" not in written.read_text(encoding="utf-8")
    assert stat.S_IMODE(written.stat().st_mode) == 0o644  # shareable
    assert "safe to share" in window.statusBar().currentMessage()


# -- the wizard's finish page ---------------------------------------------------------------------------
@needs_poppler
def test_the_wizards_finish_buttons_export_the_briefing_and_the_bundle(
    qtbot, demo: Workspace, preferences: Preferences, scripted: RecordingDialogs, out: Path
) -> None:
    controller = AppController(preferences, autolock_ms=600_000)
    try:
        window = controller.open_workspace(demo)
        wizard = controller.show_prepare()
        assert wizard is not None
        finish = wizard.page_for(Step.FINISH)
        assert finish.briefing_button.isEnabled() and finish.bundle_button.isEnabled()
        meeting_id = wizard.preparation.meeting.id

        scripted.paths.append(out / "from-wizard.pdf")
        finish.briefing_button.click()
        dialog = window.exports.dialog
        assert isinstance(dialog, BriefingDialog) and dialog.parent() is wizard
        assert dialog.meeting.meeting_id() == meeting_id
        run_dialog(qtbot, window.exports, dialog.ok_button)
        assert pdf_pages(out / "from-wizard.pdf") > 1

        scripted.paths.append(out / "from-wizard.sypbundle")
        finish.bundle_button.click()
        dialog = window.exports.dialog
        assert isinstance(dialog, BundleDialog) and dialog.meeting_id() == meeting_id
        run_dialog(qtbot, window.exports, dialog.ok_button)
        result = window.exports.dialog
        assert isinstance(result, BundleResultDialog)
        words = result.passphrase_label.text().split()
        read_bundle((out / "from-wizard.sypbundle").read_bytes(), passphrase=" ".join(words))
        result.accept()
        wizard.button(QWizard.WizardButton.CancelButton).click()
    finally:
        controller.shutdown()


# -- printing ---------------------------------------------------------------------------------------------
def _pdf_printer(path: Path, dpi: int = 100) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setResolution(dpi)
    # No margins, so the printed page can be compared with the original pixel by pixel.
    printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
    return printer


def _page_picture(path: Path, page: int, folder: Path, block: int = 6) -> list[float]:
    """One page of a PDF rasterised in grey at 20 dpi, averaged over blocks of
    ``block`` pixels (so the comparison sees the layout, not the anti-aliasing)."""
    stem = folder / f"{path.stem}-{page}"
    subprocess.run(
        ["pdftoppm", "-gray", "-r", "20", "-f", str(page), "-l", str(page), "-singlefile",
         str(path), str(stem)],
        check=True, capture_output=True,
    )
    _magic, size, _depth, pixels = stem.with_suffix(".pgm").read_bytes().split(b"\n", 3)
    width, height = (int(v) for v in size.split())
    return [
        sum(pixels[(y + j) * width + x + i] for j in range(block) for i in range(block)) / block**2
        for y in range(0, height - block + 1, block)
        for x in range(0, width - block + 1, block)
    ]


def _correlation(a: list[float], b: list[float]) -> float:
    mean_a, mean_b = sum(a) / len(a), sum(b) / len(b)
    cov = sum((x - mean_a) * (y - mean_b) for x, y in zip(a, b, strict=True))
    var_a = sum((x - mean_a) ** 2 for x in a)
    var_b = sum((y - mean_b) ** 2 for y in b)
    return cov / (var_a * var_b) ** 0.5 if var_a and var_b else 0.0


@needs_poppler
def test_print_briefing_through_the_print_dialog_to_a_pdf_file(
    qtbot, window: MainWindow, session: Session, tmp_path: Path
) -> None:
    target = tmp_path / "printed.pdf"
    asked: list[int] = []

    def choose_printer(parent, pages: int) -> QPrinter:
        asked.append(pages)
        return _pdf_printer(target)

    window.exports.choose_printer = choose_printer
    qtbot.keyClick(window, Qt.Key.Key_P, CTRL)
    dialog = window.exports.dialog
    assert isinstance(dialog, BriefingDialog) and dialog.printing
    assert dialog.level() == DataLevel.INITIALS
    with qtbot.waitSignal(window.exports.finished, timeout=EXPORT_TIMEOUT_MS) as done:
        qtbot.mouseClick(dialog.ok_button, LEFT)
    message = done.args[0]
    assert message.startswith("Sent ") and "printed.pdf" in message
    qtbot.waitUntil(lambda: not window.exports.busy, timeout=EXPORT_TIMEOUT_MS)

    expected = page_count(export.briefing_bytes(session.workspace, level="initials"))
    assert asked == [expected]
    assert pdf_pages(target) == expected
    assert message.startswith(f"Sent {expected} pages")
    assert _audit(session.workspace)[-1][0] == "briefing printed"


def test_the_print_dialog_offers_the_briefings_pages_and_can_be_cancelled(qtbot, qapp) -> None:
    from saferyp_desktop.ui.export_dialogs import choose_printer

    seen: list[str] = []

    def cancel() -> None:
        dialog = QApplication.activeModalWidget()
        seen.append(dialog.windowTitle() if dialog else "")
        if dialog is not None:
            dialog.reject()

    QTimer.singleShot(50, cancel)
    assert choose_printer(None, 12) is None
    assert seen == ["Print the briefing"]


@needs_poppler
def test_print_pdf_paints_every_page_like_the_original(tmp_path: Path, session: Session, qapp) -> None:
    source = tmp_path / "source.pdf"
    pdf = export.briefing_bytes(session.workspace, level="initials")
    source.write_bytes(pdf)
    printed = tmp_path / "printed.pdf"
    seen: list[tuple[int, int]] = []
    assert print_pdf(pdf, _pdf_printer(printed), lambda done, total: seen.append((done, total))) == pdf_pages(source)
    assert pdf_pages(printed) == pdf_pages(source)
    assert seen[-1] == (pdf_pages(source), pdf_pages(source))
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    # Each printed page looks like its original (measured: 0.87-0.93 for the same page,
    # 0.07-0.69 for the next page), marking bands and all; none is blank.
    for page in range(1, pdf_pages(source) + 1):
        original = _page_picture(source, page, pictures)
        copy = _page_picture(printed, page, pictures)
        assert len(copy) == len(original), f"page {page} was printed on paper of another shape"
        assert min(copy) < 200, f"page {page} is blank"
        likeness = _correlation(original, copy)
        assert likeness > 0.8, f"page {page} does not look like the original ({likeness:.2f})"


def test_print_pdf_prints_a_page_range_and_stops_when_asked(tmp_path: Path, session: Session, qapp) -> None:
    pdf = export.briefing_bytes(session.workspace, level="codes")
    assert print_pdf(pdf, _pdf_printer(tmp_path / "range.pdf", 50), pages=(2, 3)) == 2
    stopped = print_pdf(pdf, _pdf_printer(tmp_path / "stop.pdf", 50), lambda done, _total: done < 2)
    assert stopped == 2
    if shutil.which("pdfinfo"):
        assert pdf_pages(tmp_path / "range.pdf") == 2
        assert pdf_pages(tmp_path / "stop.pdf") == 2


# -- the GUI thread stays free ---------------------------------------------------------------------------
# On a busy machine (other processes on every core) the operating system may keep the GUI
# thread waiting however the work is split; so each export is timed up to three times and
# the best is kept: work that blocks the GUI thread blocks it every time.
ATTEMPTS = 3


def _worst_block(qtbot, window: MainWindow, scripted: RecordingDialogs, out: Path,
                 open_dialog: Callable[[], object], attempts: int = ATTEMPTS) -> list[float]:
    exports = window.exports
    measured: list[float] = []
    for attempt in range(attempts):
        scripted.paths.append(out / f"timed-{attempt}")
        dialog = open_dialog()
        with Heartbeat() as beat, qtbot.waitSignal(exports.finished, timeout=EXPORT_TIMEOUT_MS):
            qtbot.mouseClick(dialog.ok_button, LEFT)
        qtbot.waitUntil(lambda: not exports.busy, timeout=EXPORT_TIMEOUT_MS)
        measured.append(beat.worst)
        if isinstance(exports.dialog, BundleResultDialog):
            exports.dialog.accept()
        if beat.worst < BLOCK_LIMIT_S:
            break
    return measured


def _report(record_property, what: str, measured: list[float]) -> float:
    figures = [round(worst * 1000) for worst in measured]
    record_property(f"gui_blocked_ms_{what}", figures)
    print(f"GUI thread blocked at most {figures} ms exporting the {what.replace('_', ' ')}")
    return min(measured)


def test_exporting_the_briefing_does_not_block_the_window(
    qtbot, window: MainWindow, scripted: RecordingDialogs, out: Path, record_property
) -> None:
    # Warm: the first export also loads the PDF library, which is not what is measured.
    export.briefing_bytes(window.session.workspace)
    measured = _worst_block(qtbot, window, scripted, out, window.export_briefing)
    best = _report(record_property, "briefing", measured)
    assert best < BLOCK_LIMIT_S, f"the window froze for {best * 1000:.0f} ms"


def test_exporting_the_bundle_to_the_chair_does_not_block_the_window(
    qtbot, window: MainWindow, session: Session, scripted: RecordingDialogs, out: Path,
    chair_card: Path, record_property,
) -> None:
    export.set_chair(session.workspace, chair_card)
    export.briefing_bytes(session.workspace)
    measured = _worst_block(qtbot, window, scripted, out, window.export_bundle)
    best = _report(record_property, "bundle_to_the_chair", measured)
    assert best < BLOCK_LIMIT_S, f"the window froze for {best * 1000:.0f} ms"


def test_exporting_the_bundle_with_six_words_does_not_block_the_window(
    qtbot, window: MainWindow, session: Session, scripted: RecordingDialogs, out: Path, record_property
) -> None:
    export.briefing_bytes(session.workspace)
    measured = _worst_block(qtbot, window, scripted, out, window.export_bundle)
    best = _report(record_property, "bundle_with_six_words", measured)
    assert best < BLOCK_LIMIT_S, f"the window froze for {best * 1000:.0f} ms"


# -- the worker ---------------------------------------------------------------------------------------------
def test_a_task_reports_its_result_error_and_cancelling_on_the_gui_thread(qtbot, qapp) -> None:
    gui = threading.current_thread()
    where: list[threading.Thread] = []
    switch_interval = sys.getswitchinterval()

    def record(*_args) -> None:
        where.append(threading.current_thread())

    ok = Task(lambda context: (context.progress(1, 2, "half"), 42)[1])
    ok.succeeded.connect(record)
    with qtbot.waitSignal(ok.succeeded, timeout=5000) as got:
        ok.start()
    assert got.args == [42]

    def boom(_context):
        raise ValueError("no")

    bad = Task(boom)
    bad.failed.connect(record)
    with qtbot.waitSignal(bad.failed, timeout=5000) as failed:
        bad.start()
    assert isinstance(failed.args[0], ValueError)

    release = threading.Event()

    def slow(context):
        release.wait(5)
        context.check()
        return "discarded"

    slow_task = Task(slow)
    slow_task.cancelled.connect(record)
    slow_task.succeeded.connect(lambda _r: pytest.fail("a cancelled task's result was delivered"))
    slow_task.start()
    slow_task.cancel()
    with qtbot.waitSignal(slow_task.cancelled, timeout=5000):
        release.set()
    assert slow_task.is_cancelled and not slow_task.running
    assert where == [gui, gui, gui]
    assert issubclass(Cancelled, Exception)
    # While tasks ran the GUI thread got the GIL back sooner; now it is as it was.
    assert sys.getswitchinterval() == switch_interval
    QApplication.processEvents()


def test_while_a_task_runs_no_full_garbage_collection_walks_what_the_window_holds(
    qtbot, qapp, chair_workspace: Workspace
) -> None:
    session = Session(chair_workspace)
    gc.unfreeze()
    thresholds = gc.get_threshold()
    held = [[n] for n in range(1000)]  # what a window holds: alive before the job starts
    seen: dict[str, object] = {}

    def job(_context):
        seen["thresholds"] = gc.get_threshold()
        seen["frozen"] = gc.get_freeze_count()
        return [[n] for n in range(1000)]  # the job's result, kept by the window

    task = Task(job)
    with qtbot.waitSignal(task.succeeded, timeout=5000) as got:
        task.start()
    qtbot.waitUntil(lambda: not task.running, timeout=5000)
    # Only the young generations were collected meanwhile, and what lived before was left
    # out of collection (a full collection would hold the GIL while it walked it all).
    young, middle, full = seen["thresholds"]
    assert (young, middle) == thresholds[:2] and full > 1000 * thresholds[2]
    assert seen["frozen"] >= len(held)
    # Afterwards: collections as before, the result left out of them too.
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() >= len(held) + len(got.args[0])
    # Closing the workspace gives the collector everything back.
    session.close()
    assert gc.get_freeze_count() == 0


def test_a_reference_cycle_a_job_drops_is_collected_not_frozen(qtbot, qapp) -> None:
    """What a job drops in reference cycles (a PDF's pages are) is collected as the job
    ends, not frozen out of collection with what lives on until the workspace closes."""

    class Node:
        other: object = None

    made: dict[str, weakref.ref] = {}

    def job(_context):
        a, b = Node(), Node()
        a.other, b.other = b, a
        made["cycle"] = weakref.ref(a)
        gc.collect(1)  # it outlives the young generations, as a long job's objects do
        return [[n] for n in range(100)]  # the result, kept by the window

    task = Task(job)
    try:
        with qtbot.waitSignal(task.succeeded, timeout=5000) as got:
            task.start()
        qtbot.waitUntil(lambda: not task.running, timeout=5000)
        QApplication.processEvents()
        assert made["cycle"]() is None
        assert len(got.args[0]) == 100 and gc.get_freeze_count() >= 100  # the result: frozen
    finally:
        gc.unfreeze()


def test_closing_the_session_lets_go_of_the_submissions_read(
    chair_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from saferyp_desktop.services import chair as chair_service

    forgotten: list[Workspace] = []
    monkeypatch.setattr(chair_service, "forget_submissions", forgotten.append)
    Session(chair_workspace).close()
    assert forgotten == [chair_workspace]


def test_suggested_file_names_carry_no_personal_name(session: Session) -> None:
    meeting = next_meeting(session)
    names = [
        export.suggested_briefing_name(meeting.date),
        export.suggested_bundle_name(session.workspace, meeting),
        export.suggested_key_card_name(session.workspace),
    ]
    assert names == [
        f"briefing-{meeting.date.isoformat()}.pdf",
        f"submission-{DEMO_URN}-{meeting.date.isoformat()}.sypbundle",
        f"key-card-{DEMO_URN}.sypkey",
    ]
    details = session.workspace.details
    people = [*young_people_names(session), details.dsl, details.deputy, details.name]
    assert not any(part in name for name in names for person in people for part in person.split() if len(part) > 3)


# -- outcomes back from the chair --------------------------------------------------------------
def _outcomes_for(school: Workspace, chair_ws: Workspace, folder: Path) -> Path:
    """The whole loop by services: the school's bundle opened by the chair, one agreed
    action for the school, and the chair's outcomes bundle for it."""
    from saferyp_desktop.services import chair as chair_service
    from saferyp_desktop.services.exchange import export_bundle, open_bundle, set_chair

    set_chair(school, chair_ws.key_card())
    sent = export_bundle(school, folder / "sub.sypbundle", include_briefing=False)
    open_bundle(chair_ws, folder / "sub.sypbundle", accept_new_key=sent.fingerprint)
    person = school.table().of_kind(Kind.YOUNG_PERSON)[0]
    chair_service.agree_action(
        chair_ws, sent.meeting_date, catalogue_key="safety_mapping",
        school_urn=school.details.urn, linked_ids=[person.id], owner_agency="yps",
    )
    result = chair_service.export_outcomes(
        chair_ws, sent.meeting_date, school.details.urn, folder / "outcomes.sypbundle"
    )
    return result.path


def test_open_outcomes_adds_the_agreed_actions_to_the_actions_section(
    qtbot, window: MainWindow, demo: Workspace, chair_workspace: Workspace, scripted, out: Path
) -> None:
    bundle = _outcomes_for(demo, chair_workspace, out)
    before = {r.id for r in demo.table().of_kind(Kind.ACTION)}
    scripted.paths.append(bundle)
    window.open_outcomes_action.trigger()
    qtbot.waitUntil(lambda: any(k == "info" for k, *_ in scripted.shown), timeout=EXPORT_TIMEOUT_MS)
    added = [r for r in demo.table().of_kind(Kind.ACTION) if r.id not in before]
    assert len(added) == 1 and added[0].origin == "meeting" and added[0].owner_agency == "yps"
    section = window.section(Kind.ACTION)
    shown = {section.model.index(row, 0).data() for row in range(section.model.rowCount())}
    assert added[0].code in shown

    # The same outcomes again: one sentence, nothing added.
    scripted.paths.append(bundle)
    window.open_outcomes_action.trigger()
    qtbot.waitUntil(lambda: any(k == "error" for k, *_ in scripted.shown), timeout=EXPORT_TIMEOUT_MS)
    assert "already been opened" in [s for k, _, s in scripted.shown if k == "error"][-1]
    assert len(demo.table().of_kind(Kind.ACTION)) == len(before) + 1
