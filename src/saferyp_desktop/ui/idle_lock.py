"""Idle auto-lock: notice when nobody has touched the program for a while.

An application-wide event filter restarts a single-shot timer on every key press,
click, wheel turn, touch or mouse movement; when the timer runs out ``idle`` is
emitted. The controller decides what locking means (DESIGN.md §5).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

# Events that mean a person is at the keyboard or mouse. Paint, timer and focus
# events do not count: a window that repaints itself is not a person.
_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.TabletMove,
        QEvent.Type.InputMethod,
    }
)


class IdleMonitor(QObject):
    """Emits ``idle`` after ``timeout_ms`` without user input, while started."""

    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max(1, int(timeout_ms)))
        self._timer.timeout.connect(self.idle)
        self._filtering = False

    @property
    def timeout_ms(self) -> int:
        return self._timer.interval()

    def set_timeout_ms(self, timeout_ms: int) -> None:
        """Change the timeout; a running count starts again with the new length."""
        self._timer.setInterval(max(1, int(timeout_ms)))
        if self._timer.isActive():
            self._timer.start()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        """Watch for input (from now on) and start counting."""
        app = QCoreApplication.instance()
        if app is not None and not self._filtering:
            app.installEventFilter(self)
            self._filtering = True
        self._timer.start()

    def stop(self) -> None:
        """Stop counting and stop watching input (nothing to lock)."""
        self._timer.stop()
        app = QCoreApplication.instance()
        if app is not None and self._filtering:
            app.removeEventFilter(self)
        self._filtering = False

    def poke(self) -> None:
        """Count from zero again, as if the user had just done something."""
        if self._timer.isActive():
            self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() in _INPUT_EVENTS and self._timer.isActive():
            self._timer.start()
        return False
