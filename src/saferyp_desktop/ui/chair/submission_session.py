"""One school's submission, read the way the record sections read a workspace.

The record sections, editors and panels ask a session for the mapping table, the
profile, the data level and how to name a record. :class:`SubmissionSession` answers
the same questions about a submission the chair holds, following the chair's
presentation mode, and has no way to change anything: the sections are built
read-only over it.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QObject, Signal

from saferyp_desktop.domain.levels import DataLevel, NameScrubber, display_name
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.records import Kind, Meeting, Record
from saferyp_desktop.services.workspace import WorkspaceDetails
from saferyp_desktop.ui.session import Session


class _SubmittedSchool:
    """What the sections ask of a "workspace": the meeting the school submitted for."""

    def __init__(self, table: MappingTable, meeting_date: date | None, name: str, urn: str) -> None:
        self._table = table
        self._meeting_date = meeting_date
        self.details = WorkspaceDetails(role="school", name=name, urn=urn)

    def next_meeting(self, today: date | None = None) -> Meeting | None:
        meetings = [m for m in self._table.of_kind(Kind.MEETING) if isinstance(m, Meeting)]
        if self._meeting_date is not None:
            for meeting in meetings:
                if meeting.date == self._meeting_date:
                    return meeting
        return max(meetings, key=lambda m: m.date, default=None)


class SubmissionSession(QObject):
    """A school's submitted mapping table, shown at the chair's data level."""

    presentationChanged = Signal(bool)  # noqa: N815 - Qt naming
    closed = Signal()

    def __init__(self, chair: Session, table: MappingTable, *, meeting_date: date | None,
                 school: str, urn: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.chair: Session | None = chair
        self._table = table
        self.workspace = _SubmittedSchool(table, meeting_date, school, urn)
        self._presentation = chair.presentation
        self._scrubber: NameScrubber | None = None  # the table never changes: built once
        chair.presentationChanged.connect(self._chair_presentation_changed)

    @property
    def profile(self):
        assert self.chair is not None
        return self.chair.profile

    def table(self) -> MappingTable:
        return self._table

    @property
    def presentation(self) -> bool:
        return self._presentation

    @property
    def level(self) -> DataLevel:
        return DataLevel.INITIALS if self._presentation else DataLevel.FULL

    def name_of(self, record: Record) -> str:
        name = display_name(record, self.level)
        return self.scrub(name) if self._presentation else name

    def scrubber(self) -> NameScrubber | None:
        """Presentation mode: names written into the school's free text become initials."""
        if not self._presentation:
            return None
        if self._scrubber is None:
            self._scrubber = NameScrubber(self.table())
        return self._scrubber

    def scrub(self, text: str) -> str:
        scrubber = self.scrubber()
        return scrubber(text) if scrubber is not None and text else text

    def _chair_presentation_changed(self, on: bool) -> None:
        self._presentation = on
        self.presentationChanged.emit(on)

    def close(self) -> None:
        """Forget the table (the chair's workspace is locking)."""
        chair, self.chair = self.chair, None
        if chair is not None:
            chair.presentationChanged.disconnect(self._chair_presentation_changed)
        self._table = MappingTable()
        self.closed.emit()
