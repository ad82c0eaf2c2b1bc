"""Screenshots of the desktop program on fictional data, for a person to look at.

Runs the real program (its controller and windows) in this process under an X
server you start, drives it programmatically and saves each window with
``QWidget.grab()``:

    Xvfb :99 -screen 0 1600x1000x24 &
    DISPLAY=:99 uv run python tools/screenshots.py            # writes shots/*.png
    DISPLAY=:99 uv run python tools/screenshots.py --out /tmp/shots --root
    DISPLAY=:99 uv run python tools/screenshots.py --chair --out /tmp/shots-chair

``--root`` also saves the whole X screen with ImageMagick's ``import -window root``.
``--chair`` shoots the chair's program instead (default folder shots/chair): three demo
schools for one meeting date send their bundles to a fictional chair, who opens them,
decides matches, records the meeting and its actions and writes the briefing pack; the
pack's pages are rendered with ``pdftoppm`` (pack-60-*.png, a few at 110 dpi), checked
with ``qpdf --check`` and its text kept with ``pdftotext`` (pack.txt) when those are there.
Preferences go to a temporary folder, so yours are untouched. shots/ is git-ignored:
never commit the pictures. Only fictional demo data is used.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "screenshot lantern orchard velvet tundra"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "shots")
    parser.add_argument("--root", action="store_true", help="also grab the whole X screen")
    parser.add_argument("--chair", action="store_true", help="the chair's program and briefing pack")
    args = parser.parse_args(argv)
    if args.chair and args.out == ROOT / "shots":
        args.out = ROOT / "shots" / "chair"
    if not os.environ.get("DISPLAY") and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        print("Set DISPLAY (start Xvfb :99 first), or QT_QPA_PLATFORM=offscreen.", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="saferyp-shots-"))
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")  # before Qt reads any settings
    try:
        shooter = Shooter(args.out, tmp, args.root)
        return shooter.run_chair() if args.chair else shooter.run()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class Shooter:
    def __init__(self, out: Path, tmp: Path, root: bool) -> None:
        self.out = out
        self.tmp = tmp
        self.root = root
        self.count = 0
        self.problems: list[str] = []

    # -- helpers -----------------------------------------------------------------------
    def settle(self, ms: int = 150) -> None:
        from PySide6.QtTest import QTest

        QTest.qWait(ms)

    def wait_for(self, condition, timeout_s: float = 60.0) -> bool:
        from PySide6.QtWidgets import QApplication

        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            QApplication.processEvents()
            if condition():
                return True
            time.sleep(0.01)
        return False

    def shot(self, widget, name: str) -> None:
        self.settle()
        self.count += 1
        path = self.out / f"{self.count:02d}-{name}.png"
        if not widget.grab().save(str(path)):
            self.problems.append(f"could not save {path}")
        print(path)
        if self.root and shutil.which("import"):
            subprocess.run(
                ["import", "-window", "root", str(path.with_name(path.stem + "-screen.png"))],
                check=False,
            )

    def start_app(self):
        """The output folder emptied of pictures, the application, scripted dialogs."""
        from PySide6.QtWidgets import QApplication

        from saferyp_desktop.app import application_icon
        from saferyp_desktop.ui import dialogs as dialog_service

        self.out.mkdir(parents=True, exist_ok=True)
        for old in self.out.glob("*.png"):
            old.unlink()
        app = QApplication.instance() or QApplication(["saferyp-desktop"])
        app.setApplicationDisplayName("SaferYP Desktop")
        app.setWindowIcon(application_icon())
        scripted = dialog_service.ScriptedDialogs()
        dialog_service.install(scripted)
        return scripted

    def report(self) -> int:
        for problem in self.problems:
            print("PROBLEM:", problem, file=sys.stderr)
        return 1 if self.problems else 0

    # -- the run -----------------------------------------------------------------------
    def run(self) -> int:
        from saferyp_desktop.services.demo import create_demo_workspace
        from saferyp_desktop.ui.app_controller import AppController
        from saferyp_desktop.ui.settings import Preferences

        scripted = self.start_app()

        # A fictional school's workspace to list and unlock, and one that has gone.
        school = self.tmp / "Fernbridge school.sypdb"
        create_demo_workspace(school, PASSPHRASE, seed=2).close()
        prefs = Preferences()
        prefs.add_recent(self.tmp / "Old workspace.sypdb")
        prefs.add_recent(school)

        controller = AppController(prefs)
        start = controller.show_start()
        start.resize(720, 480)
        self.shot(start, "start-screen")

        self.unlock_dialog(controller, school)
        self.new_workspace_wizard(controller, scripted)
        self.preferences(controller)
        self.demo(controller)
        controller.shutdown()
        return self.report()

    def unlock_dialog(self, controller, path: Path) -> None:
        from saferyp_desktop.errors import WrongPassphrase

        dialog = controller.open_path(path)
        self.shot(dialog, "unlock")
        dialog.passphrase.setText("not the passphrase")
        dialog.unlock_button.click()
        if not self.wait_for(lambda: dialog.message.text() == WrongPassphrase().message):
            self.problems.append("the wrong-passphrase message did not appear")
        self.shot(dialog, "unlock-wrong-passphrase")
        dialog.reject()
        dialog = controller.open_path(path, locked=True)  # as after the idle lock
        self.shot(dialog, "unlock-after-lock")
        dialog.reject()

    def new_workspace_wizard(self, controller, scripted) -> None:
        from PySide6.QtWidgets import QWizard

        from saferyp_desktop.crypto.keys import KeyCard, WorkspaceKeys

        wizard = controller.new_workspace()
        wizard.resize(720, 540)
        self.shot(wizard, "new-workspace-1-role")
        wizard.next()
        page = wizard.currentPage()
        page.name.setText("Fernbridge Academy")
        page.urn.setText("12345")
        self.shot(wizard, "new-workspace-2-school-urn-too-short")
        page.urn.setText("123456")
        page.phase.setCurrentIndex(2)
        page.area.setText("Fernbridge and Villages")
        self.shot(wizard, "new-workspace-2-school")
        wizard.next()
        page = wizard.currentPage()
        page.dsl.setText("Alex Example")
        page.deputy.setText("Sam Example")
        self.shot(wizard, "new-workspace-3-safeguarding-leads")
        wizard.next()
        self.shot(wizard, "new-workspace-4-information-sharing-unconfirmed")
        wizard.currentPage().confirmed.setChecked(True)
        self.shot(wizard, "new-workspace-4-information-sharing")
        wizard.next()
        page = wizard.currentPage()
        self.shot(wizard, "new-workspace-5-chair-key-card-none")
        keys = WorkspaceKeys.generate()
        card = KeyCard(role="chair", name="Chair Example", organisation="Fernbridge Council",
                       age_recipient=keys.age_recipient, verify_key=keys.verify_key_bytes)
        card_path = self.tmp / "chair.sypkey"
        card_path.write_text(card.to_text(), encoding="utf-8")
        page.load(card_path)
        self.shot(wizard, "new-workspace-5-chair-key-card")
        wizard.next()
        page = wizard.currentPage()
        page.passphrase.setText("password1234")
        page.confirm.setText("password1234")
        self.shot(wizard, "new-workspace-6-passphrase-weak")
        page.clear()
        page.fill_offered()
        self.shot(wizard, "new-workspace-6-passphrase-offered")
        wizard.next()
        self.shot(wizard, "new-workspace-7-save")
        if wizard.currentId() != wizard.SAVE:
            self.problems.append("the wizard did not reach its last page")
        wizard.back()
        # The chair's way through.
        wizard.restart()
        wizard.page(wizard.ROLE).chair.setChecked(True)
        wizard.next()
        page = wizard.currentPage()
        page.name.setText("Chair Example")
        page.organisation.setText("Fernbridge Council")
        page.area.setText("Fernbridge")
        self.shot(wizard, "new-workspace-chair")
        wizard.next()
        wizard.currentPage().fill_offered()
        wizard.next()
        self.shot(wizard, "new-workspace-chair-save")
        wizard.button(QWizard.WizardButton.CancelButton).click()

    def preferences(self, controller) -> None:
        from saferyp_desktop.ui.preferences_dialog import PreferencesDialog

        dialog = PreferencesDialog(controller.preferences, controller.start_screen)
        dialog.show()
        self.shot(dialog, "preferences")
        dialog.reject()

    def demo(self, controller) -> None:
        start = controller.start_screen
        controller.open_demo()
        self.shot(start, "start-screen-making-demo")
        if not self.wait_for(lambda: controller.main_window is not None, 120):
            self.problems.append("the demo did not open")
            return
        window = controller.main_window
        window.resize(1280, 800)
        self.settle(600)
        try:
            from saferyp_desktop.ui.main_window import SECTIONS
        except ImportError:
            self.shot(window, "main-window")
            return
        for spec in SECTIONS:
            window.show_section(spec.key)
            self.settle(900 if spec.key == "diagram" else 300)
            self.shot(window, f"main-{spec.key}")
        self.prepare(controller)
        controller.lock()
        self.settle()

    def prepare(self, controller) -> None:
        from PySide6.QtWidgets import QCheckBox

        try:
            wizard = controller.show_prepare()
        except ImportError:
            return
        if wizard is None:
            return
        self.settle(400)
        seen: set[int] = set()
        while wizard.currentId() not in seen:
            page_id = wizard.currentId()
            seen.add(page_id)
            current_step = getattr(wizard, "current_step", None)
            step = current_step() if current_step is not None else page_id
            name = getattr(step, "value", str(step))
            self.shot(wizard, f"prepare-{len(seen)}-{name}")
            if wizard.nextId() == -1:
                break
            # A page waiting for a tick (information sharing, harm types): tick boxes
            # one by one until it is complete, as a DSL would.
            for box in wizard.currentPage().findChildren(QCheckBox):
                if wizard.currentPage().isComplete():
                    break
                if box.isVisible() and box.isEnabled() and not box.isChecked():
                    box.setChecked(True)
                    self.settle(50)
            if not wizard.currentPage().isComplete():
                reason = wizard.currentPage().findChild(object, "reasonLabel")
                self.problems.append(f"prepare: could not pass the page {name}"
                                     + (f" ({reason.text()})" if reason is not None else ""))
                break
            wizard.next()
            self.settle(300)

    # -- the chair's program -----------------------------------------------------------------
    CHAIR_SEEDS = (1, 2, 3)

    def chair_idle(self, window) -> bool:
        """Every background task of the chair's window has ended (as tests/gui waits)."""
        pages = [window.across, window.meeting, window.outcomes]
        return not window.inbox.busy and all(
            not p.busy and getattr(p, "task", None) is None and getattr(p, "pack_task", None) is None
            for p in pages if p is not None
        )

    def wait_chair(self, window, what: str, timeout_s: float = 60.0) -> None:
        if not self.wait_for(lambda: self.chair_idle(window), timeout_s):
            self.problems.append(f"chair: still busy after {what}")
        self.settle(200)

    def make_exchange(self) -> tuple[Path, list[tuple[str, Path]]]:
        """A fictional chair's workspace, and one signed, encrypted bundle from each demo
        school (the same meeting date: the same ``today``), briefing inside."""
        from datetime import date

        from saferyp_desktop.services import exchange
        from saferyp_desktop.services.demo import create_demo_workspace
        from saferyp_desktop.services.workspace import Workspace, WorkspaceDetails

        folder = self.tmp / "exchange"
        folder.mkdir()
        chair_path = folder / "Fernbridge meetings.sypdb"
        details = WorkspaceDetails(role="chair", name="Jordan Example",
                                   organisation="Fernbridge Young People's Service", demo=True)
        with Workspace.create(chair_path, PASSPHRASE, details) as chair_ws:
            card = chair_ws.key_card()
        today = date.today()
        bundles = []
        for seed in self.CHAIR_SEEDS:
            with create_demo_workspace(folder / f"school-{seed}.sypdb", PASSPHRASE, seed=seed,
                                       today=today) as school:
                exchange.set_chair(school, card)
                result = exchange.export_bundle(school, folder / f"submission-{seed}.sypbundle",
                                                include_briefing=True)
                if not result.briefing_included:
                    self.problems.append(f"chair: no briefing in the bundle of seed {seed}")
                bundles.append((school.details.urn, result.path))
        return chair_path, bundles

    def run_chair(self) -> int:
        from saferyp_desktop.services.workspace import Workspace
        from saferyp_desktop.ui.chair_window import ChairWindow
        from saferyp_desktop.ui.session import Session
        from saferyp_desktop.ui.settings import Preferences

        scripted = self.start_app()
        chair_path, bundles = self.make_exchange()
        session = Session(Workspace.open(chair_path, PASSPHRASE))
        window = ChairWindow(session, Preferences())
        window.resize(1280, 800)
        window.show()
        self.settle(400)
        try:
            self.chair_inbox(window, bundles)
            urns = [urn for urn, _ in bundles]
            self.chair_school(window, urns[0])
            clusters = self.chair_across(window)
            self.chair_meeting(window, scripted, urns, clusters)
            self.chair_outcomes(window, urns[0])
            pack = self.chair_pack(window, scripted)
        finally:
            self.wait_chair(window, "the last step")
            window.clear()
            window.close()
            session.close()
        shown = [f"{kind}: {title}: {sentence}" for kind, title, sentence in scripted.shown
                 if kind == "error"]
        self.problems.extend(f"chair: dialog shown: {text}" for text in shown)
        if pack is not None:
            self.render_pack(pack)
        return self.report()

    def chair_inbox(self, window, bundles: list[tuple[str, Path]]) -> None:
        self.shot(window, "chair-inbox-empty")
        inbox = window.inbox
        for n, (_urn, path) in enumerate(bundles):
            window.open_paths([path])
            if not self.wait_for(lambda: inbox.fingerprint_dialog is not None or not inbox.busy, 60):
                self.problems.append(f"chair: {path.name} did not open")
                continue
            dialog = inbox.fingerprint_dialog
            if dialog is None:
                self.problems.append(f"chair: no fingerprint check for {path.name}")
                continue
            if n == 0:
                self.shot(dialog, "chair-fingerprint-check")
            dialog.accept_button.click()
            self.wait_for(lambda: not inbox.busy, 60)
        self.wait_chair(window, "opening the bundles")
        if inbox.model.rowCount() != len(bundles):
            self.problems.append(f"chair: the inbox lists {inbox.model.rowCount()} of {len(bundles)}")
        inbox_view = getattr(inbox, "view", None)
        if inbox_view is not None:
            inbox_view.selectRow(0)
        self.shot(window, "chair-inbox")

    def chair_school(self, window, urn: str) -> None:
        from saferyp_desktop.domain.records import Kind

        page = window.show_school(urn)
        if page is None:
            self.problems.append("chair: no school view")
            return
        self.settle(400)
        for kind, tab in ((Kind.YOUNG_PERSON, "young_person"), (Kind.ADULT, "adult"),
                          (Kind.LOCATION, "location")):
            page.show_tab(tab)
            section = page.section(kind)
            section.view.selectRow(0)
            self.shot(window, f"chair-school-{tab}")
        page.show_tab("key_concern")
        self.shot(window, "chair-school-key_concern")
        page.show_tab("diagram")
        self.settle(1200)
        self.shot(window, "chair-school-diagram")

    def chair_across(self, window) -> dict[str, str]:
        """Candidates shown, one adult confirmed, one place dismissed; the combined diagram
        and the area's places. Returns the keys decided, by decision."""
        from saferyp_desktop.domain.records import Kind
        from saferyp_desktop.services import chair

        window.show_page("across")
        page = window.across
        if page is None or not self.wait_for(
            lambda: not page.busy and page.candidates_model.rowCount() > 0, 60
        ):
            self.problems.append("chair: no candidate matches across schools")
            return {}
        self.settle(300)
        self.shot(window, "chair-across-undecided")
        decided: dict[str, str] = {}
        candidates = page.candidates_model.candidates()
        adult = next((c for c in candidates if c.kind == Kind.ADULT), None)
        place = next((c for c in candidates if c.kind == Kind.LOCATION), None)
        for candidate, decision, note in (
            (adult, chair.CONFIRMED, "Same nickname and car described by both DSLs"),
            (place, chair.DISMISSED, "Two different shops with similar names"),
        ):
            if candidate is None:
                self.problems.append(f"chair: no candidate to mark {decision}")
                continue
            page.select_candidate(candidate.key)
            page.note_edit.setText(note)
            page.decide(decision)
            self.wait_chair(window, f"marking a match {decision}")
            decided[decision] = candidate.key
        if adult is not None:
            page.select_candidate(adult.key)
        self.shot(window, "chair-across-decided")
        window.presentation_action.trigger()
        self.settle(300)
        self.shot(window, "chair-across-presentation-mode")
        window.presentation_action.trigger()
        page.tabs.setCurrentIndex(1)
        if not self.wait_for(lambda: page.diagram is not None
                             and bool(page.diagram.diagram_scene.node_items()), 60):
            self.problems.append("chair: the combined diagram is empty")
        self.settle(1500)
        self.shot(window, "chair-across-combined-diagram")
        page.tabs.setCurrentIndex(2)
        self.settle(300)
        self.shot(window, "chair-across-places")
        page.tabs.setCurrentIndex(0)
        return decided

    def chair_meeting(self, window, scripted, urns: list[str], decided: dict[str, str]) -> None:
        from datetime import timedelta

        from saferyp_desktop.domain.records import ActionStatus
        from saferyp_desktop.services import chair

        window.show_page("meeting")
        page = window.meeting
        if page is None:
            self.problems.append("chair: no meeting page")
            return
        self.wait_chair(window, "opening the meeting page")
        self.shot(window, "chair-meeting-start")
        page.start_record()
        self.wait_chair(window, "starting the meeting record")
        page.venue_edit.setText("Fernbridge Library, community room")
        page.venue_edit.textEdited.emit(page.venue_edit.text())
        for editor, people in (
            (page.attendees, [("Priya Example", "Neighbourhood PCSO", "police"),
                              ("Tom Example", "Exploitation analyst", "analyst"),
                              ("Dana Example", "Youth worker", "motiv8")]),
            (page.apologies, [("Chris Example", "Social worker", "csc"),
                              ("Lee Example", "Contextual safeguarding practitioner", "yps")]),
        ):
            for name, role, organisation in people:
                editor.name_edit.setText(name)
                editor.role_edit.setText(role)
                editor.organisation.set_value(organisation)
                editor.add_typed()
        page.tabs.setCurrentIndex(0)
        self.shot(window, "chair-meeting-record")
        page.tabs.setCurrentIndex(1)
        if page.subjects.count():
            page.subjects.setCurrentRow(0)
            page.summary_edit.setPlainText(
                "Concerns about older young people gathering at the skate park after school; "
                "two Year 9 pupils seen getting into the same car. Police to share patrol times."
            )
        self.settle(200)
        self.shot(window, "chair-meeting-discussions")
        if not page.save():
            self.problems.append("chair: the meeting record did not save")
        self.wait_chair(window, "saving the meeting record")
        context = page.context
        day = page.day()

        # A MASH referral with its outcome, owner and due date.
        dialog = page.agree_action(urns[0])
        if dialog is None:
            self.problems.append("chair: no action dialog")
            return
        dialog.catalogue.set_value("mash_referral")
        dialog._catalogue_changed()
        dialog.sub_choice.set_value("Early Help")
        dialog.detail.setPlainText("DSL to refer YP-01 to MASH today and follow up within a week.")
        dialog.linked.picker.setText("YP-01")
        dialog.linked.add_picked()
        dialog.owner.set_value("school")
        dialog.due.set_value(day + timedelta(days=7))
        self.shot(dialog, "chair-action-dialog-mash")
        dialog.save()
        self.wait_chair(window, "agreeing the MASH action")
        # "No action", with its rationale.
        dialog = page.agree_action(urns[1] if len(urns) > 1 else urns[0])
        dialog.catalogue.set_value("motiv8_referral")
        dialog._catalogue_changed()
        dialog.status.set_value(ActionStatus.NOT_TAKEN_FORWARD.value)
        dialog._status_changed()
        dialog.rationale.setPlainText("Already working with Motiv8 since the autumn; no new referral.")
        dialog.owner.set_value("motiv8")
        self.shot(dialog, "chair-action-dialog-no-action")
        dialog.save()
        self.wait_chair(window, "recording the no-action decision")
        # An action for the confirmed cluster across schools.
        confirmed = decided.get(chair.CONFIRMED)
        if confirmed and context is not None:
            dialog = page.agree_action(chair.CLUSTER_PREFIX + confirmed)
            if dialog is not None:
                dialog.catalogue.set_value("police_pcso")
                dialog._catalogue_changed()
                dialog.sub_choice.set_value("Disruption activity")
                dialog.detail.setPlainText("Intel submitted; patrols near both schools at 15:15.")
                dialog.owner.set_value("police")
                dialog.due.set_value(day + timedelta(days=14))
                dialog.save()
                self.wait_chair(window, "agreeing the cluster action")
        page.tabs.setCurrentIndex(2)
        self.settle(300)
        if page.actions_model.rowCount() < 2:
            self.problems.append(f"chair: {page.actions_model.rowCount()} agreed actions shown")
        self.shot(window, "chair-meeting-actions")

    def chair_outcomes(self, window, urn: str) -> None:
        window.show_page("outcomes")
        page = window.outcomes
        if page is None:
            self.problems.append("chair: no outcomes page")
            return
        self.wait_chair(window, "opening the outcomes")
        page.choose_school(urn)
        self.settle(300)
        self.shot(window, "chair-outcomes")

    def chair_pack(self, window, scripted) -> Path | None:
        from saferyp_desktop.services import chair

        window.show_page("meeting")
        page = window.meeting
        day = page.day() if page is not None else None
        if day is None:
            self.problems.append("chair: no meeting date for the pack")
            return None
        pack = self.out / chair.suggested_pack_name(day)
        pack.unlink(missing_ok=True)
        scripted.paths.append(pack)
        window.export_pack_action.trigger()  # as the chair's button
        self.wait_chair(window, "writing the pack", 120)
        self.shot(window, "chair-meeting-pack-saved")
        if not pack.is_file():
            self.problems.append("chair: the briefing pack was not written")
            return None
        print(pack)
        return pack

    def render_pack(self, pack: Path) -> None:
        """Every page at 60 dpi, the cover, sign-in, diagram and action plan at 110 dpi;
        ``qpdf --check`` and the text, when those tools are there."""
        if shutil.which("qpdf"):
            checked = subprocess.run(["qpdf", "--check", str(pack)], capture_output=True, text=True)
            if checked.returncode != 0:
                self.problems.append("pack: qpdf --check: " + (checked.stdout + checked.stderr)[-400:])
        if shutil.which("pdftotext"):
            subprocess.run(["pdftotext", "-layout", str(pack), str(self.out / "pack.txt")], check=False)
        if not shutil.which("pdftoppm"):
            self.problems.append("pack: pdftoppm is not installed (poppler-utils)")
            return
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pack), str(self.out / "pack-60")], check=False)
        pages = sorted(self.out.glob("pack-60-*.png"))
        print(f"{pack.name}: {len(pages)} pages rendered at 60 dpi")
        text_file = self.out / "pack.txt"
        pages_text = text_file.read_text(errors="replace").split("\f") if text_file.exists() else []
        wanted = {1}
        for phrase in ("pack · sign-in sheet", "combined spider diagram — overview",
                       "pack · action plan"):  # the running heads of those pages
            found = [n for n, t in enumerate(pages_text, start=1) if phrase in " ".join(t.lower().split())]
            wanted.update(found[:1])  # the first page that has it
        for n in sorted(wanted):
            subprocess.run(["pdftoppm", "-r", "110", "-png", "-f", str(n), "-l", str(n), str(pack),
                            str(self.out / "pack-110")], check=False)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
