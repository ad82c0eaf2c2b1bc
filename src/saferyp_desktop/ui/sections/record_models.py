"""Table models of the record sections: one row per record of one kind.

Each row's cell texts, sort keys and a lower-case "haystack" of every cell are
worked out once, when the record changes, so that filtering and sorting a
thousand rows never calls back into Python per cell. Names always come from the
session at its current data level, so presentation mode shows initials here too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from saferyp_desktop.domain.checks import last_seen
from saferyp_desktop.domain.levels import DataLevel, redact
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.records import (
    Action,
    Kind,
    Meeting,
    PeerGroup,
    Record,
    code_number,
)
from saferyp_desktop.ui.sections.roles import KindRole, RecordIdRole, RetiredRole
from saferyp_desktop.ui.session import Session

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_FONT = Qt.ItemDataRole.FontRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole

_RETIRED_BRUSH = QBrush(QColor(112, 112, 112))
_ANSWERED_ROLES = frozenset((RecordIdRole, RetiredRole, KindRole, _TOOLTIP, _FONT, _FOREGROUND))


def _translate(text: str) -> str:
    return QCoreApplication.translate("RecordTableModel", text)


class RowContext:
    """What a column needs to word a cell: the table, the profile and the data level."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.table: MappingTable = session.table()
        self.profile = session.profile
        self.level: DataLevel = session.level
        self.scrub = session.scrubber()  # presentation mode: names in free text too
        self.original: Record | None = None  # the row's record as stored (names come from it)

    def own_name(self, _shown: Record) -> str:
        """The row's own name at the level: worked out from the stored record, since a
        reduced copy already holds initials where the name was."""
        assert self.original is not None
        return self.session.name_of(self.original)

    def name_of(self, record: Record) -> str:
        return self.session.name_of(record)

    def names_of(self, ids: Iterable[str]) -> str:
        """Linked records as ``YP-03 J.S.``-style text, in the order given."""
        parts = []
        for record_id in ids:
            other = self.table.get(record_id)
            if other is None or not other.active:
                continue
            name = self.name_of(other)
            parts.append(other.code if name == other.code else f"{other.code} {name}")
        return ", ".join(parts)

    def harm_text(self, record: Record) -> str:
        keys = getattr(record, "harm_categories", [])
        return "; ".join(self.profile.label("harm_categories", key) for key in keys)

    def label(self, group: str, key: str) -> str:
        return self.profile.label(group, key) if key else ""


@dataclass(frozen=True)
class Column:
    """One column: its title, its cell text and (optionally) how it sorts."""

    title: str
    text: Callable[[Any, RowContext], str]
    key: Callable[[Any, RowContext], Any] | None = None
    width: int = 120


class _Row:
    __slots__ = ("haystack", "keys", "record", "texts")

    def __init__(self, record: Record, texts: list[str], keys: list[Any]) -> None:
        self.record = record
        self.texts = texts
        self.keys = keys
        self.haystack = "\x1f".join(texts).casefold()


def _code_key(record: Record, _ctx: RowContext) -> Any:
    try:
        return (0, code_number(record.code))
    except Exception:  # a record not yet given a code sorts last
        return (1, record.code)


def _number_key(value: int | None) -> tuple[int, int]:
    return (1, 0) if value is None else (0, value)


def _date_text(value: date | None) -> str:
    return value.isoformat() if value else ""


def _date_key(value: date | None) -> tuple[int, str]:
    return (1, "") if value is None else (0, value.isoformat())


_CONCERN_ORDER = {"high": 0, "medium": 1, "low": 2}
_RAG_ORDER = {"red": 0, "amber": 1, "green": 2}
_CODE = Column("Code", lambda r, c: r.code, _code_key, 70)
_HARM = Column("Harm categories", lambda r, c: c.harm_text(r), None, 220)
_CONCERN = Column(
    "Concern",
    lambda r, c: r.concern_level,
    lambda r, c: _CONCERN_ORDER.get(r.concern_level, 9),
    80,
)


def _last_seen_column() -> Column:
    def text(record: Record, ctx: RowContext) -> str:
        return _date_text(last_seen(ctx.table, record))

    def key(record: Record, ctx: RowContext) -> Any:
        return _date_key(last_seen(ctx.table, record))

    return Column("Last confirmed or evidenced", text, key, 150)


_LAST_SEEN = _last_seen_column()


class RecordTableModel(QAbstractTableModel):
    """Every record of one kind (retired ones included; the proxy hides those)."""

    KIND: ClassVar[Kind]
    COLUMNS: ClassVar[tuple[Column, ...]]
    # True when cells name other records, so a change elsewhere can change a cell here.
    SHOWS_OTHER_RECORDS: ClassVar[bool] = False

    def __init__(self, session: Session | None, parent=None) -> None:
        super().__init__(parent)
        self._session = session
        self._rows: list[_Row] = []
        self._row_of: dict[str, int] = {}
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._italic = QFont()
        self._italic.setItalic(True)
        if session is not None:
            self.reload()

    # -- Qt model interface ------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        # A view asks for a dozen roles per cell on every paint: answer the common
        # cases first and the rest without looking at the row.
        if role == _DISPLAY:
            return self._rows[index.row()].texts[index.column()] if index.isValid() else None
        if role not in _ANSWERED_ROLES or not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == RecordIdRole:
            return row.record.id
        if role == RetiredRole:
            return not row.record.active
        if role == KindRole:
            return row.record.kind.value
        if role == _TOOLTIP:
            text = row.texts[index.column()]
            return text if len(text) > 30 else None
        if not row.record.active:
            if role == _FONT:
                return self._italic
            if role == _FOREGROUND:
                return _RETIRED_BRUSH
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if (
            role == _DISPLAY
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.COLUMNS)
        ):
            return _translate(self.COLUMNS[section].title)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows by their precomputed keys (stable), keeping persistent indexes."""
        if not 0 <= column < len(self.COLUMNS):
            return
        self._sort_column, self._sort_order = column, order
        self._sort_rows()

    # -- reading -----------------------------------------------------------------
    def record_at(self, row: int) -> Record:
        return self._rows[row].record

    def row_of(self, record_id: str) -> int:
        """The row of ``record_id``, or -1."""
        return self._row_of.get(record_id, -1)

    def haystack(self, row: int) -> str:
        """Every cell of ``row``, lower-cased, for the filter box."""
        return self._rows[row].haystack

    def is_retired(self, row: int) -> bool:
        return not self._rows[row].record.active

    def active_count(self) -> int:
        """How many rows are not retired."""
        return sum(1 for row in self._rows if row.record.retired is None)

    def column_width(self, column: int) -> int:
        return self.COLUMNS[column].width

    def row_texts(self, row: int) -> list[str]:
        return list(self._rows[row].texts)

    # -- keeping in step with the session -------------------------------------------
    def reload(self) -> None:
        """Every row worked out again from the workspace (a reset)."""
        self.beginResetModel()
        if self._session is None:
            self._rows = []
        else:
            ctx = RowContext(self._session)
            records = ctx.table.of_kind(self.KIND, include_retired=True)
            self._rows = [self._make_row(record, ctx) for record in records]
            if self._sort_column >= 0:
                self._rows.sort(key=self._sort_key, reverse=self._descending)
        self._reindex()
        self.endResetModel()

    def clear(self) -> None:
        """Forget every row and the session (the workspace is locking)."""
        self.beginResetModel()
        self._session = None
        self._rows = []
        self._row_of = {}
        self.endResetModel()

    def refresh_all(self) -> None:
        """Reword every row (the data level changed, or a record other rows name)."""
        if self._session is None or not self._rows:
            return
        ctx = RowContext(self._session)
        for row in self._rows:
            record = ctx.table.get(row.record.id) or row.record
            fresh = self._make_row(record, ctx)
            row.record, row.texts, row.keys, row.haystack = (
                fresh.record,
                fresh.texts,
                fresh.keys,
                fresh.haystack,
            )
        self.dataChanged.emit(
            self.index(0, 0), self.index(len(self._rows) - 1, len(self.COLUMNS) - 1)
        )
        if self._sort_column >= 0:
            self._sort_rows()

    def on_changed(self, ids: list[str]) -> None:
        """Follow ``Session.changed``: update, add or reword only the rows concerned."""
        if self._session is None:
            return
        if not ids:
            self.reload()
            return
        table = self._session.table()
        affected: set[str] = set()
        for item_id in ids:
            if item_id in table.records:
                affected.add(item_id)
            elif item_id in table.links:
                link = table.links[item_id]
                affected.update((link.a_id, link.b_id))
            elif item_id in table.evidence:
                subject = table.evidence[item_id].subject_id
                link = table.links.get(subject)
                affected.update((link.a_id, link.b_id) if link else (subject,))
            else:  # something this model cannot place: start again
                self.reload()
                return
        ctx = RowContext(self._session)
        own = [table.records[i] for i in affected if i in table.records]
        mine = [r for r in own if r.kind == self.KIND]
        if self.SHOWS_OTHER_RECORDS and len(mine) != len(own):
            self.refresh_all()
        inserted = False
        for record in sorted(mine, key=lambda r: _code_key(r, ctx)):
            row = self._row_of.get(record.id)
            if row is None:
                position = len(self._rows)
                self.beginInsertRows(QModelIndex(), position, position)
                self._rows.append(self._make_row(record, ctx))
                self._row_of[record.id] = position
                self.endInsertRows()
                inserted = True
            else:
                self._rows[row] = self._make_row(record, ctx)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
        if mine and self._sort_column >= 0 or inserted:
            self._sort_rows()

    # -- internals -------------------------------------------------------------------
    @property
    def _descending(self) -> bool:
        return self._sort_order == Qt.SortOrder.DescendingOrder

    def _sort_key(self, row: _Row) -> Any:
        return row.keys[self._sort_column]

    def _sort_rows(self) -> None:
        if self._sort_column >= 0:
            key = self._sort_key
            reverse = self._descending
        else:  # no column chosen: code order, as the records were numbered
            def key(row: _Row) -> Any:
                return row.keys[0]

            reverse = False
        order = sorted(range(len(self._rows)), key=lambda i: key(self._rows[i]), reverse=reverse)
        if order == list(range(len(self._rows))):
            return
        self.layoutAboutToBeChanged.emit()
        new_row_of_old = {old: new for new, old in enumerate(order)}
        persistent = self.persistentIndexList()
        moved = [
            self.index(new_row_of_old[p.row()], p.column()) if p.isValid() else QModelIndex()
            for p in persistent
        ]
        self._rows = [self._rows[i] for i in order]
        self._reindex()
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def _reindex(self) -> None:
        self._row_of = {row.record.id: i for i, row in enumerate(self._rows)}

    def _make_row(self, record: Record, ctx: RowContext) -> _Row:
        ctx.original = record
        shown = record if ctx.level == DataLevel.FULL else redact(record, ctx.level, ctx.scrub)
        texts = [column.text(shown, ctx) for column in self.COLUMNS]
        keys = [
            column.key(shown, ctx) if column.key else texts[i].casefold()
            for i, column in enumerate(self.COLUMNS)
        ]
        return _Row(record, texts, keys)


def _join(values: Iterable[str]) -> str:
    return ", ".join(v for v in values if v)


def _int_text(value: int | None) -> str:
    return "" if value is None else str(value)


def _year_text(value: int | None) -> str:
    if value is None:
        return ""
    return "Reception" if value == 0 else str(value)


class YoungPeopleModel(RecordTableModel):
    KIND = Kind.YOUNG_PERSON
    CODE, NAME, INITIALS, YEAR, AGE, KNOWN_TO, CONCERN, HARM, LAST_SEEN = range(9)
    COLUMNS = (
        _CODE,
        Column("Name", lambda r, c: c.own_name(r), None, 170),
        Column("Initials", lambda r, c: r.initials, None, 60),
        Column("Year", lambda r, c: _year_text(r.year_group), lambda r, c: _number_key(r.year_group), 70),
        Column("Age", lambda r, c: _int_text(r.age), lambda r, c: _number_key(r.age), 45),
        Column("Known to", lambda r, c: _join(r.known_to), None, 140),
        _CONCERN,
        _HARM,
        _LAST_SEEN,
    )


class AdultsModel(RecordTableModel):
    KIND = Kind.ADULT
    CODE, NAME, ALIASES, AGE, VEHICLE, HANDLES, CONCERN, HARM, LAST_SEEN = range(9)
    COLUMNS = (
        _CODE,
        Column("Name or description", lambda r, c: c.own_name(r), None, 180),
        Column("Aliases", lambda r, c: _join(r.aliases), None, 120),
        Column("Approx. age", lambda r, c: _int_text(r.approx_age), lambda r, c: _number_key(r.approx_age), 80),
        Column("Vehicle", lambda r, c: r.vehicle, None, 120),
        Column("Phone or online handles", lambda r, c: _join(r.handles), None, 150),
        _CONCERN,
        _HARM,
        _LAST_SEEN,
    )


def _members_text(group: PeerGroup, ctx: RowContext) -> str:
    return ctx.names_of(m.person_id for m in group.members)


class PeerGroupsModel(RecordTableModel):
    KIND = Kind.PEER_GROUP
    SHOWS_OTHER_RECORDS = True
    CODE, LABEL, DESCRIPTION, MEMBERS, CONCERN, HARM, LAST_SEEN = range(7)
    COLUMNS = (
        _CODE,
        Column("Label", lambda r, c: r.label, None, 150),
        Column("Description", lambda r, c: r.description, None, 200),
        Column("Members", _members_text, None, 220),
        _CONCERN,
        _HARM,
        _LAST_SEEN,
    )


class LocationsModel(RecordTableModel):
    KIND = Kind.LOCATION
    CODE, LABEL, LOCATION_KIND, WHERE, POSTCODE, WHEN, RATING, HARM, LAST_SEEN = range(9)
    COLUMNS = (
        _CODE,
        Column("Label", lambda r, c: r.label, None, 160),
        Column("Kind", lambda r, c: r.location_kind, None, 120),
        Column("Where", lambda r, c: r.where, None, 160),
        Column("Postcode", lambda r, c: r.postcode, None, 80),
        Column("When", lambda r, c: r.when, None, 120),
        Column("Safety rating", lambda r, c: r.rating, lambda r, c: _RAG_ORDER.get(r.rating, 9), 90),
        _HARM,
        _LAST_SEEN,
    )


class StrengthsModel(RecordTableModel):
    KIND = Kind.STRENGTH
    SHOWS_OTHER_RECORDS = True
    CODE, LABEL, STRENGTH_KIND, DESCRIPTION, LINKED, LAST_SEEN = range(6)
    COLUMNS = (
        _CODE,
        Column("Label", lambda r, c: r.label, None, 160),
        Column("Kind", lambda r, c: r.strength_kind, None, 120),
        Column("Description", lambda r, c: r.description, None, 200),
        Column("Linked records", lambda r, c: c.names_of(r.linked_ids), None, 200),
        _LAST_SEEN,
    )


def _meeting_text(meeting_id: str | None, ctx: RowContext) -> str:
    meeting = ctx.table.get(meeting_id) if meeting_id else None
    return meeting.date.isoformat() if isinstance(meeting, Meeting) else ""


class ConcernsModel(RecordTableModel):
    KIND = Kind.KEY_CONCERN
    SHOWS_OTHER_RECORDS = True
    CODE, TEXT, QUESTION, LINKED, MEETING = range(5)
    COLUMNS = (
        _CODE,
        Column("Concern or question", lambda r, c: r.text, None, 320),
        Column("Question", lambda r, c: _translate("Question") if r.is_question else _translate("Concern"), None, 80),
        Column("Linked records", lambda r, c: c.names_of(r.linked_ids), None, 220),
        Column("Meeting", lambda r, c: _meeting_text(r.meeting_id, c), None, 90),
    )


def _action_label(action: Action, ctx: RowContext) -> str:
    return ctx.label("actions", action.catalogue_key)


class ActionsModel(RecordTableModel):
    KIND = Kind.ACTION
    SHOWS_OTHER_RECORDS = True
    CODE, ACTION, SUB_CHOICE, DETAIL, LINKED, OWNER, DUE, STATUS, ORIGIN = range(9)
    COLUMNS = (
        _CODE,
        Column("Action", _action_label, None, 220),
        Column("Outcome", lambda r, c: r.sub_choice, None, 110),
        Column("Detail", lambda r, c: r.detail, None, 200),
        Column("Linked records", lambda r, c: c.names_of(r.linked_ids), None, 180),
        Column("Owner", lambda r, c: c.label("agencies", r.owner_agency), None, 150),
        Column("Due", lambda r, c: _date_text(r.due), lambda r, c: _date_key(r.due), 85),
        Column("Status", lambda r, c: r.status, None, 110),
        Column("Proposed by", lambda r, c: r.origin, None, 85),
    )


class MeetingsModel(RecordTableModel):
    KIND = Kind.MEETING
    CODE, DATE, VENUE, CHAIR, ATTENDEES, STATUS = range(6)
    COLUMNS = (
        _CODE,
        Column("Date", lambda r, c: r.date.isoformat(), None, 90),
        Column("Venue or area", lambda r, c: r.venue, None, 200),
        Column("Chair", lambda r, c: r.chair, None, 150),
        Column("Attendees", lambda r, c: str(len(r.attendees)), lambda r, c: len(r.attendees), 80),
        Column("Status", lambda r, c: r.status, None, 90),
    )


MODEL_FOR_KIND: dict[Kind, type[RecordTableModel]] = {
    model.KIND: model
    for model in (
        YoungPeopleModel,
        AdultsModel,
        PeerGroupsModel,
        LocationsModel,
        StrengthsModel,
        ConcernsModel,
        ActionsModel,
        MeetingsModel,
    )
}
