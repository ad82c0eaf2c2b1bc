"""The open workspace as the desktop program sees it.

Every edit goes through a :class:`Session` as an undoable command: the command
saves the new state through the Workspace service (so it is on disk when the call
returns) and its undo saves the old state back. Views listen to the signals and
never write storage themselves.
"""

from __future__ import annotations

import copy
import gc
import sys
from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from saferyp_desktop.domain.levels import DataLevel, NameScrubber, display_name
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.records import Evidence, Link, Record, now
from saferyp_desktop.services.workspace import Workspace

Item = Record | Link | Evidence


def tr(text: str) -> str:
    return QCoreApplication.translate("Session", text)


class _SaveCommand(QUndoCommand):
    """Replace one record, link or evidence entry by a new state; undo puts the old back."""

    def __init__(self, session: Session, before: Item | None, after: Item, text: str) -> None:
        super().__init__(text)
        self._session = session
        self._before = copy.deepcopy(before)
        self._after = copy.deepcopy(after)
        # The session writes the change before pushing, so a change the workspace
        # refuses never reaches the undo stack; the first redo is that write.
        self._written = True

    def redo(self) -> None:
        if self._written:
            self._written = False
            return
        self._session._write(copy.deepcopy(self._after))

    def undo(self) -> None:
        if self._before is not None:
            self._session._write(copy.deepcopy(self._before))
        else:
            # Undoing an addition retires what was added; it stays on record.
            gone = copy.deepcopy(self._after)
            gone.retired = now()
            self._session._write(gone)


class Session(QObject):
    """One unlocked workspace, its undo history and how names are shown."""

    changed = Signal(list)  # ids of the records, links or evidence entries changed
    saved = Signal(datetime)  # when the last change reached the disk
    presentationChanged = Signal(bool)
    closed = Signal()

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.undo_stack = QUndoStack(self)
        self._presentation = False
        self._scrubber: NameScrubber | None = None  # rebuilt after any change
        self.last_saved: datetime | None = None
        self.changed.connect(self._forget_scrubber)

    # -- reading -----------------------------------------------------------
    @property
    def profile(self):
        return self.workspace.profile

    def table(self) -> MappingTable:
        return self.workspace.table()

    @property
    def presentation(self) -> bool:
        return self._presentation

    def set_presentation(self, on: bool) -> None:
        if on != self._presentation:
            self._presentation = on
            self.presentationChanged.emit(on)

    @property
    def level(self) -> DataLevel:
        """Initials everywhere in presentation mode; full names otherwise."""
        return DataLevel.INITIALS if self._presentation else DataLevel.FULL

    def name_of(self, record: Record) -> str:
        """What ``record`` is called now; in presentation mode, names in a label or a
        concern's words are reduced to initials as well."""
        name = display_name(record, self.level)
        return self.scrub(name) if self._presentation else name

    def scrub(self, text: str) -> str:
        """``text`` with every name of a young person or adult as initials (presentation
        mode); unchanged otherwise."""
        if not self._presentation or not text:
            return text
        if self._scrubber is None:
            self._scrubber = NameScrubber(self.table())
        return self._scrubber(text)

    def scrubber(self) -> NameScrubber | None:
        """The scrubber for presentation mode (None when names are shown)."""
        if not self._presentation:
            return None
        if self._scrubber is None:
            self._scrubber = NameScrubber(self.table())
        return self._scrubber

    # -- editing (undoable) ---------------------------------------------------
    def save(self, item: Item, text: str | None = None) -> None:
        """Add or change a record, link or evidence entry, as one undoable step."""
        before = copy.deepcopy(self._current(item))
        label = text or (tr("Add %s") if before is None else tr("Edit %s"))
        self._apply(before, item, label)

    def retire(self, item: Item, text: str | None = None) -> None:
        after = copy.deepcopy(item)
        after.retired = now()
        self._apply(copy.deepcopy(item), after, text or tr("Retire %s"))

    def confirm_current(self, record: Record, today: date | None = None) -> None:
        after = copy.deepcopy(record)
        after.last_confirmed = today or date.today()
        self._apply(copy.deepcopy(record), after, tr("Confirm %s is current"))

    def _apply(self, before: Item | None, after: Item, label: str) -> None:
        """Write ``after`` now (errors propagate, nothing is pushed), then record the step."""
        after = copy.deepcopy(after)
        self._write(after)  # gives a new record its code
        text = label % _describe(after) if "%s" in label else label
        self.undo_stack.push(_SaveCommand(self, before, after, text))

    def run_without_undo(self, action: Callable[[], object]) -> None:
        """Run a bulk change (e.g. a spreadsheet import) that cannot be undone step by step."""
        action()
        self.undo_stack.clear()
        self.changed.emit([])
        self._mark_saved()

    def _forget_scrubber(self, _ids: list) -> None:
        self._scrubber = None

    # -- life cycle -------------------------------------------------------------
    def close(self) -> None:
        """Close the workspace and forget everything held in memory."""
        self.undo_stack.clear()
        self.workspace.close()
        chair = sys.modules.get("saferyp_desktop.services.chair")  # imported by a chair only
        if chair is not None:
            chair.forget_submissions(self.workspace)  # the submissions it read, shared
        self.closed.emit()
        # What background tasks froze out of garbage collection (ui.tasks) is walked
        # again: what the windows held goes now, reference cycles too.
        gc.unfreeze()

    # -- internals -----------------------------------------------------------------
    def _current(self, item: Item) -> Item | None:
        table = self.table()
        if isinstance(item, Link):
            return table.links.get(item.id)
        if isinstance(item, Evidence):
            return table.evidence.get(item.id)
        return table.get(item.id)

    def _write(self, item: Item) -> None:
        if isinstance(item, Link):
            self.workspace.save_link(item)
        elif isinstance(item, Evidence):
            self.workspace.save_evidence(item)
        else:
            self.workspace.save(item)
        self._mark_saved()
        self.changed.emit([item.id])

    def _mark_saved(self) -> None:
        self.last_saved = datetime.now()
        self.saved.emit(self.last_saved)


def _describe(item: Item) -> str:
    if isinstance(item, Link):
        return tr("link")
    if isinstance(item, Evidence):
        return tr("evidence")
    return item.code or tr("record")
