"""Screenshots of the desktop program on fictional data, for a person to look at.

Runs the real program (its controller and windows) in this process under an X
server you start, drives it programmatically and saves each window with
``QWidget.grab()``:

    Xvfb :99 -screen 0 1600x1000x24 &
    DISPLAY=:99 uv run python tools/screenshots.py            # writes shots/*.png
    DISPLAY=:99 uv run python tools/screenshots.py --out /tmp/shots --root

``--root`` also saves the whole X screen with ImageMagick's ``import -window root``.
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
    args = parser.parse_args(argv)
    if not os.environ.get("DISPLAY") and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        print("Set DISPLAY (start Xvfb :99 first), or QT_QPA_PLATFORM=offscreen.", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="saferyp-shots-"))
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")  # before Qt reads any settings
    try:
        return Shooter(args.out, tmp, args.root).run()
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

    # -- the run -----------------------------------------------------------------------
    def run(self) -> int:
        from PySide6.QtWidgets import QApplication

        from saferyp_desktop.app import application_icon
        from saferyp_desktop.services.demo import create_demo_workspace
        from saferyp_desktop.ui import dialogs as dialog_service
        from saferyp_desktop.ui.app_controller import AppController
        from saferyp_desktop.ui.settings import Preferences

        self.out.mkdir(parents=True, exist_ok=True)
        for old in self.out.glob("*.png"):
            old.unlink()
        app = QApplication.instance() or QApplication(["saferyp-desktop"])
        app.setApplicationDisplayName("SaferYP Desktop")
        app.setWindowIcon(application_icon())
        scripted = dialog_service.ScriptedDialogs()
        dialog_service.install(scripted)

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
        for problem in self.problems:
            print("PROBLEM:", problem, file=sys.stderr)
        return 1 if self.problems else 0

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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
