"""What this program puts on the clipboard, so it can be taken off again at lock.

Rows copied from a table may hold names; when the workspace locks, the controller
calls :func:`clear_if_ours` so they do not outlive the session. A clipboard the user
has since filled from another program is left alone.
"""

from __future__ import annotations

from PySide6.QtGui import QClipboard, QGuiApplication

_ours: str | None = None


def copy_text(text: str) -> None:
    """Put ``text`` on the clipboard and remember that this program did."""
    global _ours
    QGuiApplication.clipboard().setText(text, QClipboard.Mode.Clipboard)
    _ours = text


def holds_ours() -> bool:
    """True while the clipboard still holds what this program last put there."""
    return _ours is not None and QGuiApplication.clipboard().text(QClipboard.Mode.Clipboard) == _ours


def clear_if_ours() -> bool:
    """Empty the clipboard if it still holds what this program put there; True if it did."""
    global _ours
    cleared = holds_ours()
    if cleared:
        QGuiApplication.clipboard().clear(QClipboard.Mode.Clipboard)
    _ours = None
    return cleared
