"""The new-workspace wizard: who the workspace is for, a passphrase, where to save it.

The pages are declared in one tuple (``PAGES``); each checks itself, keeps Next
(or Finish) disabled until it is complete and says why underneath. What the pages
collect goes into one plain :class:`NewWorkspacePlan`, which knows the rules and is
tested without a window. Finishing creates the workspace off the GUI thread; the
passphrase fields are cleared whenever the wizard closes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from saferyp_desktop.ui.dialogs import dialogs
from saferyp_desktop.ui.opener import WorkspaceOpener, user_sentence

if TYPE_CHECKING:
    from saferyp_desktop.services.keys import KeyCard
    from saferyp_desktop.services.workspace import Workspace, WorkspaceDetails

MIN_SCORE = 3  # zxcvbn's "safely unguessable"
WORKSPACE_SUFFIX = ".sypdb"
PHASES = (
    "Primary",
    "Secondary",
    "All-through",
    "Special",
    "Alternative provision",
    "Further education",
    "Other",
)
STRENGTH_WORDS = ("Very weak", "Weak", "Fair", "Good", "Strong")
_UNSAFE_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


# -- the plan: plain Python, no widgets ------------------------------------------
@dataclass
class NewWorkspacePlan:
    """Everything the wizard collects. Each ``*_problem`` is None or one sentence."""

    role: str = "school"
    name: str = ""  # the school's name, or the chair's
    urn: str = ""
    phase: str = ""
    community_area: str = ""
    dsl: str = ""
    deputy: str = ""
    organisation: str = ""
    wisc_confirmed: bool = False
    wisc_date: date | None = None
    chair_card: KeyCard | None = None
    path: Path | None = None

    def school_problem(self) -> str | None:
        if not self.name.strip():
            return "Type the school's name."
        urn = self.urn.strip()
        if not urn:
            return "Type the school's URN (six digits)."
        if not (len(urn) == 6 and urn.isdigit()):
            return "A school's URN is six digits."
        if not self.phase:
            return "Choose the school's phase."
        if not self.community_area.strip():
            return "Type the community area the school is in."
        return None

    def staff_problem(self) -> str | None:
        if not self.dsl.strip():
            return "Type the name of the Designated Safeguarding Lead."
        return None

    def wisc_problem(self, charter: str = "the Information Sharing Charter") -> str | None:
        if not self.wisc_confirmed:
            return f"Confirm that the school is signed up to {charter}."
        if self.wisc_date is None:
            return "Give the date the school signed up."
        if self.wisc_date > date.today():
            return "The date the school signed up cannot be in the future."
        return None

    def chair_problem(self) -> str | None:
        if not self.name.strip():
            return "Type your name."
        if not self.organisation.strip():
            return "Type your organisation."
        if not self.community_area.strip():
            return "Type the area you chair meetings for."
        return None

    def suggested_file_name(self) -> str:
        """A file name with no person's name in it: the school's name, or a plain one."""
        if self.role == "school" and self.name.strip():
            cleaned = _UNSAFE_IN_FILE_NAMES.sub(" ", self.name).strip(" .")
            cleaned = " ".join(cleaned.split())[:80]
            if cleaned:
                return cleaned + WORKSPACE_SUFFIX
            return "School workspace" + WORKSPACE_SUFFIX
        if self.role == "chair":
            return "Chair workspace" + WORKSPACE_SUFFIX
        return "Workspace" + WORKSPACE_SUFFIX

    def details(self) -> WorkspaceDetails:
        from saferyp_desktop.services.workspace import WorkspaceDetails

        if self.role == "chair":
            return WorkspaceDetails(
                role="chair",
                name=self.name.strip(),
                organisation=self.organisation.strip(),
                community_area=self.community_area.strip(),
            )
        return WorkspaceDetails(
            role="school",
            name=self.name.strip(),
            urn=self.urn.strip(),
            phase=self.phase,
            community_area=self.community_area.strip(),
            dsl=self.dsl.strip(),
            deputy=self.deputy.strip(),
            wisc_confirmed=self.wisc_date.isoformat() if self.wisc_date else "",
        )


def path_problem(text: str) -> str | None:
    """Why a new workspace cannot be saved at ``text``, or None."""
    if not text.strip():
        return "Choose where to save the workspace."
    path = Path(text).expanduser()
    if path.suffix.lower() != WORKSPACE_SUFFIX:
        return f"A workspace file's name ends in {WORKSPACE_SUFFIX}."
    if not path.parent.is_dir():
        return "That folder does not exist; choose another."
    if path.exists():
        return "A file already exists at that path; choose another name."
    return None


def passphrase_strength(passphrase: str, user_inputs: list[str]) -> tuple[int, str, list[str]]:
    """zxcvbn's score (0–4), its warning and its suggestions."""
    from zxcvbn import zxcvbn

    # zxcvbn's time grows with length; the first 100 characters tell enough.
    result = zxcvbn(passphrase[:100], user_inputs=[u for u in user_inputs if u])
    feedback = result.get("feedback") or {}
    return int(result["score"]), str(feedback.get("warning") or ""), list(feedback.get("suggestions") or [])


def offer_passphrase() -> str:
    """A generated six-word passphrase (the EFF word list, chosen with ``secrets``)."""
    from saferyp_desktop.services.keys import generate_passphrase

    return generate_passphrase(6)


def _create_workspace(path: Path, passphrase: str, details: WorkspaceDetails) -> Workspace:
    from saferyp_desktop.services.workspace import Workspace

    return Workspace.create(path, passphrase, details)


# -- pages ---------------------------------------------------------------------------
class _Page(QWizardPage):
    """A page that says, under its fields, why it is not complete yet."""

    def __init__(self, wizard: NewWorkspaceWizard) -> None:
        super().__init__()
        self.plan = wizard.plan
        self.reason = QLabel("", self)
        self.reason.setObjectName("reasonLabel")
        self.reason.setWordWrap(True)
        self.reason.setAccessibleName(self.tr("What is still needed"))

    def problem(self) -> str | None:
        return None

    def isComplete(self) -> bool:  # noqa: N802 (Qt name)
        problem = self.problem()
        self.reason.setText(problem or "")
        return problem is None

    def _changed(self, *_args) -> None:
        self.completeChanged.emit()

    def _line(self, name: str, accessible: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.textChanged.connect(self._changed)
        return edit

    def _finish_layout(self, layout: QVBoxLayout) -> None:
        layout.addStretch(1)
        layout.addWidget(self.reason)


class RolePage(_Page):
    def __init__(self, wizard: NewWorkspaceWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("Who is this workspace for?"))
        self.setSubTitle(self.tr("A workspace holds one school's mapping table, or one chair's inbox."))
        self.school = QRadioButton(self.tr("&A school: the DSL keeps the mapping table and prepares for meetings"), self)
        self.school.setObjectName("roleSchool")
        self.school.setAccessibleName(self.tr("A school"))
        self.chair = QRadioButton(self.tr("A meeting &chair or analyst: opens the bundles schools send"), self)
        self.chair.setObjectName("roleChair")
        self.chair.setAccessibleName(self.tr("A meeting chair or analyst"))
        self.group = QButtonGroup(self)
        self.group.addButton(self.school)
        self.group.addButton(self.chair)
        self.school.setChecked(True)
        self.group.buttonToggled.connect(self._role_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.school)
        layout.addWidget(self.chair)
        self._finish_layout(layout)

    def _role_changed(self, *_args) -> None:
        self.plan.role = "chair" if self.chair.isChecked() else "school"
        self.completeChanged.emit()

    def nextId(self) -> int:  # noqa: N802 (Qt name)
        return NewWorkspaceWizard.CHAIR if self.plan.role == "chair" else NewWorkspaceWizard.SCHOOL


class SchoolPage(_Page):
    def __init__(self, wizard: NewWorkspaceWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("Your school"))
        self.setSubTitle(self.tr("These details are kept inside the encrypted workspace."))
        self.name = self._line("schoolName", self.tr("School name"))
        self.urn = self._line("urn", self.tr("URN"))
        self.urn.setMaxLength(6)
        self.urn.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.urn.setPlaceholderText(self.tr("six digits"))
        self.phase = QComboBox(self)
        self.phase.setObjectName("phase")
        self.phase.setAccessibleName(self.tr("Phase"))
        self.phase.addItem(self.tr("Choose…"), "")
        for phase in PHASES:
            self.phase.addItem(self.tr(phase), phase)
        self.phase.currentIndexChanged.connect(self._changed)
        self.area = self._line("communityArea", self.tr("Community area"))
        form = QFormLayout()
        form.addRow(self.tr("School &name"), self.name)
        form.addRow(self.tr("&URN"), self.urn)
        form.addRow(self.tr("&Phase"), self.phase)
        form.addRow(self.tr("Community &area"), self.area)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self._finish_layout(layout)

    def problem(self) -> str | None:
        self.plan.name = self.name.text()
        self.plan.urn = self.urn.text()
        self.plan.phase = self.phase.currentData() or ""
        self.plan.community_area = self.area.text()
        return self.plan.school_problem()

    def nextId(self) -> int:  # noqa: N802
        return NewWorkspaceWizard.STAFF


class StaffPage(_Page):
    def __init__(self, wizard: NewWorkspaceWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("Safeguarding leads"))
        self.setSubTitle(self.tr("Who keeps this workspace. Their names stay inside it."))
        self.dsl = self._line("dsl", self.tr("Designated Safeguarding Lead"))
        self.deputy = self._line("deputy", self.tr("Deputy DSL (optional)"))
        form = QFormLayout()
        form.addRow(self.tr("&Designated Safeguarding Lead"), self.dsl)
        form.addRow(self.tr("D&eputy DSL (optional)"), self.deputy)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self._finish_layout(layout)

    def problem(self) -> str | None:
        self.plan.dsl = self.dsl.text()
        self.plan.deputy = self.deputy.text()
        return self.plan.staff_problem()

    def nextId(self) -> int:  # noqa: N802
        return NewWorkspaceWizard.WISC


class WiscPage(_Page):
    def __init__(self, wizard: NewWorkspaceWizard) -> None:
        super().__init__(wizard)
        charter = wizard.charter_name
        self._charter = charter
        self.setTitle(self.tr("Information sharing"))
        self.setSubTitle(
            self.tr("Safer Young People Community Meetings share information for safeguarding "
                    "under %1.").replace("%1", charter)
        )
        self.confirmed = QCheckBox(
            self.tr("Our school is &signed up to %1").replace("%1", charter), self
        )
        self.confirmed.setObjectName("wiscConfirmed")
        self.confirmed.setAccessibleName(self.tr("The school is signed up to the charter"))
        self.confirmed.toggled.connect(self._changed)
        self.date = QDateEdit(self)
        self.date.setObjectName("wiscDate")
        self.date.setAccessibleName(self.tr("Date the school signed up"))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("d MMMM yyyy")
        self.date.setMaximumDate(QDate.currentDate())
        self.date.setDate(QDate.currentDate())
        self.date.dateChanged.connect(self._changed)
        form = QFormLayout()
        form.addRow(self.confirmed)
        form.addRow(self.tr("Signed up &on"), self.date)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self._finish_layout(layout)

    def problem(self) -> str | None:
        self.plan.wisc_confirmed = self.confirmed.isChecked()
        self.plan.wisc_date = self.date.date().toPython()
        return self.plan.wisc_problem(self._charter)

    def nextId(self) -> int:  # noqa: N802
        return NewWorkspaceWizard.CHAIR_KEY


class ChairKeyPage(_Page):
    def __init__(self, wizard: NewWorkspaceWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("The meeting chair's key card (optional)"))
        self.setSubTitle(
            self.tr("With the chair's key card (a .sypkey file), bundles you export open only for "
                    "the chair. You can set the chair later.")
        )
        self.choose = QPushButton(self.tr("&Choose a key card…"), self)
        self.choose.setObjectName("chooseKeyCard")
        self.choose.setAccessibleName(self.tr("Choose the chair's key card"))
        self.choose.clicked.connect(self._choose)
        self.forget = QPushButton(self.tr("&Do not use a key card"), self)
        self.forget.setObjectName("forgetKeyCard")
        self.forget.clicked.connect(self._forget)
        self.summary = QLabel(self.tr("No key card chosen. You can set the chair later."), self)
        self.summary.setObjectName("keyCardSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.choose)
        row.addWidget(self.forget)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        self._finish_layout(layout)
        self._update()

    def _choose(self) -> None:
        path = dialogs().open_file(
            self, self.tr("Choose the chair's key card"), self.tr("Key cards (*.sypkey);;All files (*)")
        )
        if path is not None:
            self.load(path)

    def load(self, path: Path) -> bool:
        """Read the chair's key card at ``path``; show what it says, or why it will not do."""
        from saferyp_desktop.errors import SaferypError
        from saferyp_desktop.services.keys import read_key_card

        try:
            card = read_key_card(Path(path), expect_role="chair")
        except SaferypError as exc:
            self.plan.chair_card = None
            self.summary.setText(exc.message + " " + self.tr("You can set the chair later."))
        else:
            self.plan.chair_card = card
            self.summary.setText(
                self.tr("Chair: %1, %2\nFingerprint: %3\nCheck the fingerprint with the chair by phone.")
                .replace("%1", card.name)
                .replace("%2", card.organisation or self.tr("no organisation given"))
                .replace("%3", card.fingerprint)
            )
        self._update()
        return self.plan.chair_card is not None

    def _forget(self) -> None:
        self.plan.chair_card = None
        self.summary.setText(self.tr("No key card chosen. You can set the chair later."))
        self._update()

    def _update(self) -> None:
        self.forget.setEnabled(self.plan.chair_card is not None)

    def nextId(self) -> int:  # noqa: N802
        return NewWorkspaceWizard.PASSPHRASE


class ChairPage(_Page):
    def __init__(self, wizard: NewWorkspaceWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("You, the meeting chair"))
        self.setSubTitle(self.tr("Schools see your name and organisation on your key card."))
        self.name = self._line("chairName", self.tr("Your name"))
        self.organisation = self._line("organisation", self.tr("Organisation"))
        self.area = self._line("chairArea", self.tr("Area"))
        form = QFormLayout()
        form.addRow(self.tr("Your &name"), self.name)
        form.addRow(self.tr("&Organisation"), self.organisation)
        form.addRow(self.tr("&Area you chair meetings for"), self.area)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self._finish_layout(layout)

    def problem(self) -> str | None:
        self.plan.name = self.name.text()
        self.plan.organisation = self.organisation.text()
        self.plan.community_area = self.area.text()
        return self.plan.chair_problem()

    def nextId(self) -> int:  # noqa: N802
        return NewWorkspaceWizard.PASSPHRASE


class PassphrasePage(_Page):
    def __init__(self, wizard: NewWorkspaceWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("A passphrase"))
        self.setSubTitle(
            self.tr("The workspace is encrypted with this passphrase. Nobody can open it without "
                    "the passphrase, and nobody can recover a forgotten one: keep it safe.")
        )
        self.passphrase = self._line("passphrase", self.tr("Passphrase"))
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = self._line("confirmPassphrase", self.tr("Passphrase again"))
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_text = QCheckBox(self.tr("S&how the passphrase"), self)
        self.show_text.setObjectName("showPassphrase")
        self.show_text.toggled.connect(self._show)
        self.offer = QPushButton(self.tr("O&ffer a passphrase"), self)
        self.offer.setObjectName("offerPassphrase")
        self.offer.setAccessibleName(self.tr("Offer a passphrase"))
        self.offer.setToolTip(self.tr("Fill in six random words; write them down somewhere safe."))
        self.offer.clicked.connect(self.fill_offered)
        self.meter = QProgressBar(self)
        self.meter.setObjectName("strengthMeter")
        self.meter.setAccessibleName(self.tr("Passphrase strength"))
        self.meter.setRange(0, 4)
        self.meter.setValue(0)
        self.meter.setFormat(self.tr("Strength: none"))
        self.meter.setTextVisible(True)
        self.feedback = QLabel("", self)
        self.feedback.setObjectName("strengthFeedback")
        self.feedback.setWordWrap(True)
        self.score = -1
        self._rated: str | None = None
        form = QFormLayout()
        form.addRow(self.tr("&Passphrase"), self.passphrase)
        form.addRow(self.tr("&Again"), self.confirm)
        row = QHBoxLayout()
        row.addWidget(self.show_text)
        row.addStretch(1)
        row.addWidget(self.offer)
        form.addRow("", row)
        form.addRow(self.tr("Strength"), self.meter)
        form.addRow("", self.feedback)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self._finish_layout(layout)

    def _show(self, on: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
        self.passphrase.setEchoMode(mode)
        self.confirm.setEchoMode(mode)

    def fill_offered(self) -> None:
        words = offer_passphrase()
        self.show_text.setChecked(True)  # so it can be written down
        self.passphrase.setText(words)
        self.confirm.setText(words)

    def _rate(self, text: str) -> None:
        self._rated = text
        if not text:
            self.score = -1
            self.meter.setValue(0)
            self.meter.setFormat(self.tr("Strength: none"))
            self.feedback.setText("")
            return
        plan = self.plan
        score, warning, suggestions = passphrase_strength(
            text, [plan.name, plan.urn, plan.dsl, plan.deputy, plan.organisation, plan.community_area]
        )
        self.score = score
        self.meter.setValue(score)
        self.meter.setFormat(self.tr("Strength: %1").replace("%1", self.tr(STRENGTH_WORDS[score])))
        self.feedback.setText(" ".join([warning, *suggestions]).strip())

    def problem(self) -> str | None:
        from saferyp_desktop.services.workspace import passphrase_problem

        text = self.passphrase.text()
        if text != self._rated:
            self._rate(text)
        if not text:
            return self.tr("Type a passphrase, or press “Offer a passphrase”.")
        problem = passphrase_problem(text)
        if problem:
            return problem
        if self.score < MIN_SCORE:
            return self.tr("The passphrase is too easy to guess: make it longer, or use the offered one.")
        if self.confirm.text() != text:
            return self.tr("Type the same passphrase again in the second box.")
        return None

    def cleanupPage(self) -> None:  # noqa: N802 (Qt name)
        self.clear()

    def clear(self) -> None:
        self.passphrase.clear()
        self.confirm.clear()
        self.show_text.setChecked(False)
        self._rate("")

    def nextId(self) -> int:  # noqa: N802
        return NewWorkspaceWizard.SAVE


class SavePage(_Page):
    def __init__(self, wizard: NewWorkspaceWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("Where to save it"))
        self.setSubTitle(
            self.tr("One file holds the whole workspace. Save it where your school keeps "
                    "confidential files; the program keeps backups beside it.")
        )
        self.path = self._line("savePath", self.tr("Workspace file"))
        self._suggested = ""
        self.choose = QPushButton(self.tr("&Choose…"), self)
        self.choose.setObjectName("chooseSavePath")
        self.choose.setAccessibleName(self.tr("Choose where to save"))
        self.choose.clicked.connect(self._choose)
        self.error = QLabel("", self)
        self.error.setObjectName("createError")
        self.error.setWordWrap(True)
        self.error.setAccessibleName(self.tr("Message"))
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.choose)
        label = QLabel(self.tr("&File"), self)
        label.setBuddy(self.path)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addLayout(row)
        layout.addWidget(self.error)
        self._finish_layout(layout)
        self.path.textChanged.connect(lambda _text: self.error.setText(""))

    def initializePage(self) -> None:  # noqa: N802 (Qt name)
        # Suggest a name, and suggest again if the role or school changed since (unless
        # the user has typed or chosen a path of their own).
        if not self.path.text() or self.path.text() == self._suggested:
            documents = QStandardPaths.writableLocation(
                QStandardPaths.StandardLocation.DocumentsLocation
            )
            folder = Path(documents) if documents and Path(documents).is_dir() else Path.home()
            self._suggested = str(folder / self.plan.suggested_file_name())
            self.path.setText(self._suggested)

    def _choose(self) -> None:
        current = self.path.text() or self.plan.suggested_file_name()
        path = dialogs().save_file(
            self,
            self.tr("Save the new workspace"),
            self.tr("SaferYP workspaces (*.sypdb)"),
            current,
        )
        if path is not None:
            if path.suffix.lower() != WORKSPACE_SUFFIX:
                path = path.with_name(path.name + WORKSPACE_SUFFIX)
            self.path.setText(str(path))

    def problem(self) -> str | None:
        problem = path_problem(self.path.text())
        if problem is None:
            self.plan.path = Path(self.path.text()).expanduser()
        return problem and self.tr(problem)

    def validatePage(self) -> bool:  # noqa: N802 (Qt name)
        # Finish starts the creation; the wizard closes itself when the workspace is open.
        wizard = self.wizard()
        assert isinstance(wizard, NewWorkspaceWizard)
        if wizard.workspace is not None:
            return True  # made and open: the wizard may close
        wizard.create_workspace()
        return False


class NewWorkspaceWizard(QWizard):
    """Makes a new workspace; ``created(workspace)`` gives it, open, then the wizard closes."""

    created = Signal(object)

    ROLE, SCHOOL, STAFF, WISC, CHAIR_KEY, CHAIR, PASSPHRASE, SAVE = range(8)
    PAGES = (
        (ROLE, RolePage),
        (SCHOOL, SchoolPage),
        (STAFF, StaffPage),
        (WISC, WiscPage),
        (CHAIR_KEY, ChairKeyPage),
        (CHAIR, ChairPage),
        (PASSPHRASE, PassphrasePage),
        (SAVE, SavePage),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newWorkspaceWizard")
        self.setWindowTitle(self.tr("New workspace — SaferYP Desktop"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.HaveHelpButton, False)
        self.setMinimumSize(640, 480)
        self.plan = NewWorkspacePlan()
        self.charter_name = _charter_name()
        self.pages: dict[int, _Page] = {}
        for page_id, page_class in self.PAGES:
            page = page_class(self)
            self.setPage(page_id, page)
            self.pages[page_id] = page
        self.setStartId(self.ROLE)
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("&Create workspace"))
        for which, name in (
            (QWizard.WizardButton.NextButton, self.tr("Next")),
            (QWizard.WizardButton.BackButton, self.tr("Back")),
            (QWizard.WizardButton.CancelButton, self.tr("Cancel")),
            (QWizard.WizardButton.FinishButton, self.tr("Create workspace")),
        ):
            self.button(which).setAccessibleName(name)
        self._opener = WorkspaceOpener(self)
        self._opener.opened.connect(self._on_created)
        self._opener.failed.connect(self._on_failed)
        self.workspace: Workspace | None = None

    @property
    def busy(self) -> bool:
        return self._opener.busy

    def create_workspace(self) -> None:
        """Create the workspace the pages describe (off the GUI thread)."""
        if self._opener.busy:
            return
        page = self.pages[self.PASSPHRASE]
        assert isinstance(page, PassphrasePage)
        save = self.pages[self.SAVE]
        assert isinstance(save, SavePage)
        if page.problem() is not None or save.problem() is not None or self.plan.path is None:
            return
        passphrase = page.passphrase.text()
        path = self.plan.path
        details = self.plan.details()
        self._set_busy(True)
        self._opener.start(lambda: _create_workspace(path, passphrase, details))

    def _on_created(self, workspace: Workspace) -> None:
        self._set_busy(False)
        self.workspace = workspace
        self._store_chair_card(workspace)
        self._clear_secrets()
        self.created.emit(workspace)
        self.accept()

    def _store_chair_card(self, workspace: Workspace) -> None:
        card = self.plan.chair_card
        if card is None:
            return
        from saferyp_desktop.services.exchange import set_chair

        try:
            set_chair(workspace, card)  # as ``saferyp trust`` does
        except Exception as exc:  # the workspace is made; the chair can be set later
            dialogs().error(self, self.tr("The chair's key card"), user_sentence(exc))

    def _on_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        save = self.pages[self.SAVE]
        assert isinstance(save, SavePage)
        save.error.setText(user_sentence(exc))

    def _set_busy(self, busy: bool) -> None:
        for which in (
            QWizard.WizardButton.FinishButton,
            QWizard.WizardButton.BackButton,
        ):
            self.button(which).setEnabled(not busy)
        save = self.pages[self.SAVE]
        assert isinstance(save, SavePage)
        save.path.setEnabled(not busy)
        save.choose.setEnabled(not busy)
        if busy:
            save.error.setText(self.tr("Creating the workspace…"))
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            save.error.setText("")
            self.unsetCursor()
            self.currentPage().completeChanged.emit()

    def _clear_secrets(self) -> None:
        page = self.pages[self.PASSPHRASE]
        assert isinstance(page, PassphrasePage)
        page.clear()

    def done(self, result: int) -> None:  # noqa: D102 - QDialog.done
        if result == QWizard.DialogCode.Accepted and self.workspace is None:
            # Finish: QWizard validates the last page, which starts creating; stay open.
            super().done(result)
            return
        self._clear_secrets()
        if result != QWizard.DialogCode.Accepted:
            self._opener.shutdown()
        super().done(result)


def _charter_name() -> str:
    """The information-sharing charter of the default profile, by its full name."""
    try:
        from saferyp_desktop.domain.profile import DEFAULT_PROFILE, load_profile

        charter = load_profile(DEFAULT_PROFILE).charter
        return f"{charter.name} ({charter.short_name})"
    except Exception:  # a broken profile is reported when the workspace is made
        return "the Information Sharing Charter"
