"""Small table models of one record's evidence and links, and of the Overview."""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from saferyp_desktop.domain.checks import Check, Finding
from saferyp_desktop.domain.records import Evidence, Kind, Link, Record
from saferyp_desktop.ui.sections.roles import RecordIdRole
from saferyp_desktop.ui.session import Session

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole


def _translate(text: str) -> str:
    return QCoreApplication.translate("DetailModels", text)


class TextRowsModel(QAbstractTableModel):
    """A read-only table of ready-made cell texts (``_texts``, a list a row) under the
    column titles in ``HEADERS``: the counting and headers every such table shares."""

    HEADERS: ClassVar[tuple[str, ...]] = ()
    # Columns narrow enough to elide their text: the whole of it is the cell's tooltip.
    WHOLE_IN_TOOLTIP: ClassVar[frozenset[int]] = frozenset()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._texts: list[list[str]] = []

    def whole_text(self, index: QModelIndex | QPersistentModelIndex) -> str | None:
        """The tooltip of a cell in ``WHOLE_IN_TOOLTIP``: its whole text (None if empty,
        or another column)."""
        if index.column() not in self.WHOLE_IN_TOOLTIP:
            return None
        return self._texts[index.row()][index.column()] or None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._texts)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:  # noqa: N802
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.HEADERS):
            return _translate(self.HEADERS[section])
        return None


class _TextTableModel(TextRowsModel):
    """Rows of ready-made cell texts, each with the id of what it shows."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._ids: list[str] = []

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        if role == _DISPLAY:
            return self._texts[index.row()][index.column()]
        if role == RecordIdRole:
            return self._ids[index.row()]
        if role == _TOOLTIP:
            text = self._texts[index.row()][index.column()]
            return text if len(text) > 30 else None
        return None

    def id_at(self, row: int) -> str:
        return self._ids[row]

    def row_of(self, item_id: str) -> int:
        try:
            return self._ids.index(item_id)
        except ValueError:
            return -1

    def clear(self) -> None:
        self._set([], [])

    def _set(self, ids: list[str], texts: list[list[str]]) -> None:
        self.beginResetModel()
        self._ids, self._texts = ids, texts
        self.endResetModel()


class EvidenceTableModel(_TextTableModel):
    """The active evidence on one record or link, newest first."""

    OBSERVED, SOURCE, HOW_KNOWN, SUMMARY, RECORDED_BY, RECORDED_AT = range(6)
    HEADERS = ("Observed", "Source", "How known", "Summary", "Recorded by", "Recorded")

    def show(self, session: Session, subject_id: str | None) -> None:
        if subject_id is None:
            self.clear()
            return
        items = sorted(
            session.table().evidence_of(subject_id),
            key=lambda e: (e.observed, e.recorded_at),
            reverse=True,
        )
        self._set([e.id for e in items], [self._texts_of(session, e) for e in items])

    @staticmethod
    def _texts_of(session: Session, item: Evidence) -> list[str]:
        return [
            item.observed.isoformat(),
            session.profile.label("sources", item.source),
            item.how_known,
            session.scrub(item.summary),
            session.scrub(item.recorded_by),
            item.recorded_at.astimezone().strftime("%Y-%m-%d %H:%M"),
        ]


def described(session: Session, record: Record | None) -> str:
    """``YP-03 Test Pupil One`` (or its initials in presentation mode)."""
    if record is None:
        return "?"
    name = session.name_of(record)
    return record.code if name == record.code else f"{record.code} {name}"


class LinksTableModel(_TextTableModel):
    """The active links of one record: who or what is linked, how, how surely."""

    FROM, RELATION, TO, CONFIDENCE, NOTE, EVIDENCE = range(6)
    HEADERS = ("From", "Relation", "To", "Confidence", "Note", "Evidence")

    def show(self, session: Session, record_id: str | None) -> None:
        if record_id is None:
            self.clear()
            return
        table = session.table()
        links = sorted(
            table.links_of(record_id),
            key=lambda lk: (lk.relation, (table.get(lk.other(record_id)) or lk).id),
        )
        self._set([lk.id for lk in links], [self._texts_of(session, lk) for lk in links])

    @staticmethod
    def _texts_of(session: Session, link: Link) -> list[str]:
        table = session.table()
        return [
            described(session, table.get(link.a_id)),
            link.relation,
            described(session, table.get(link.b_id)),
            link.confidence,
            session.scrub(link.note),
            str(len(table.evidence_of(link.id))),
        ]


class FindingsModel(_TextTableModel):
    """Findings of the checks; each row's RecordIdRole is the record (or link) it is about."""

    RECORD, NAME, MESSAGE = range(3)
    HEADERS = ("Record", "Name", "What is missing")

    def __init__(self, checks: tuple[Check, ...], parent=None) -> None:
        super().__init__(parent)
        self.checks = checks

    def show(self, session: Session, findings: list[Finding]) -> None:
        table = session.table()
        chosen = [f for f in findings if f.check in self.checks]
        texts = []
        for finding in chosen:
            record = table.get(finding.subject_id)
            name = session.name_of(record) if record is not None else ""
            texts.append([finding.subject_code, "" if name == finding.subject_code else name, finding.message])
        self._set([f.subject_id for f in chosen], texts)


class HarmCountsModel(_TextTableModel):
    """How many active people, groups and places carry each harm category."""

    KINDS = (Kind.YOUNG_PERSON, Kind.ADULT, Kind.PEER_GROUP, Kind.LOCATION)
    HEADERS = ("Harm category", "Young people", "Adults", "Peer groups", "Locations", "Total")

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        if role == _ALIGN and index.isValid() and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return super().data(index, role)

    def show(self, session: Session) -> None:
        table = session.table()
        counts: dict[str, list[int]] = {
            c.key: [0] * len(self.KINDS) for c in session.profile.harm_categories
        }
        for column, kind in enumerate(self.KINDS):
            for record in table.of_kind(kind):
                for key in getattr(record, "harm_categories", []):
                    counts.setdefault(key, [0] * len(self.KINDS))[column] += 1
        ids, texts = [], []
        for key, numbers in counts.items():
            ids.append(key)
            texts.append(
                [session.profile.label("harm_categories", key), *map(str, numbers), str(sum(numbers))]
            )
        self._set(ids, texts)
