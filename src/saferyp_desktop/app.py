"""``saferyp-desktop``: the desktop program.

    saferyp-desktop            the start screen
    saferyp-desktop FILE       the unlock dialog for FILE
    saferyp-desktop --demo     a fresh fictional demo school, straight into the main window

Only what the start screen needs is imported here; the main window, the services
and SQLCipher load when a workspace is opened, so the first window shows fast.

``SAFERYP_EXIT_AFTER_SHOW=1`` (for the start-up benchmark) quits as soon as the
first window has painted, printing ``shown <unix time> <window's object name>``.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from saferyp_desktop import __version__
from saferyp_desktop.ui.settings import Preferences

APP_NAME = "SaferYP Desktop"
EXIT_AFTER_SHOW = "SAFERYP_EXIT_AFTER_SHOW"


def icon_path() -> Path | None:
    """The application icon's SVG, or None if the resources are not where expected."""
    try:
        from saferyp_desktop.resources import resources_dir

        path = resources_dir() / "icons" / "saferyp.svg"
    except FileNotFoundError:
        return None
    return path if path.is_file() else None


def application_icon() -> QIcon:
    """The icon, as SVG (sharp at any scale) with PNG sizes as a fallback."""
    icon = QIcon()
    svg = icon_path()
    if svg is None:
        return icon
    icon.addFile(str(svg))
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        png = svg.with_name(f"saferyp-{size}.png")
        if png.is_file():
            icon.addFile(str(png))
    return icon


def _parse(arguments: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="saferyp-desktop",
        description="Map extra-familial harm around a school, offline and encrypted.",
    )
    parser.add_argument("file", nargs="?", type=Path, help="a workspace (.sypdb) to unlock")
    parser.add_argument(
        "--demo", action="store_true", help="open a fresh fictional demo school (nothing is kept)"
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser.parse_args(arguments)


class _FirstPaint(QObject):
    """Quit once the first window has painted (for measuring start-up)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget) and watched.isWindow():
            print(f"shown {time.time():.6f} {watched.objectName()}", flush=True)
            QCoreApplication.instance().removeEventFilter(self)
            QTimer.singleShot(0, QCoreApplication.quit)
        return False


def _quit_on_termination(app: QApplication) -> None:
    """On SIGTERM or Ctrl+C, quit properly: the workspace is closed, a demo folder removed."""
    for name in ("SIGTERM", "SIGINT"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), lambda *_: QCoreApplication.quit())
    # Python runs signal handlers only between bytecodes: wake it now and then.
    wake = QTimer(app)
    wake.timeout.connect(lambda: None)
    wake.start(500)


def _report_without_details(kind, error, traceback) -> None:  # noqa: ARG001
    """An unexpected error in a slot: its message may quote a name, so name its type only."""
    sys.stderr.write(
        f"SaferYP Desktop: an unexpected problem ({kind.__name__}); set SAFERYP_DEBUG=1 "
        "to see the details.\n"
    )
    if os.environ.get("SAFERYP_DEBUG"):
        sys.__excepthook__(kind, error, traceback)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    QCoreApplication.setOrganizationName("SaferYP")
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication(argv)
    args = _parse(app.arguments()[1:])  # Qt has taken its own options out
    # No application display name: X11 and Windows would append it to every window title,
    # which already reads "SaferYP Desktop — <file name>".
    app.setDesktopFileName("saferyp-desktop")
    app.setWindowIcon(application_icon())

    from saferyp_desktop.ui.app_controller import AppController
    from saferyp_desktop.ui.preferences_dialog import appearance, apply_appearance

    preferences = Preferences()
    apply_appearance(appearance(preferences))
    if os.environ.get(EXIT_AFTER_SHOW):
        first_paint = _FirstPaint(app)
        app.installEventFilter(first_paint)

    sys.excepthook = _report_without_details
    controller = AppController(preferences)
    app.aboutToQuit.connect(controller.shutdown)
    _quit_on_termination(app)
    if args.demo:
        controller.show_start()  # says "Making a fictional demo school…" meanwhile
        controller.open_demo()
    elif args.file is not None:
        controller.open_path(args.file)
    else:
        controller.show_start()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
