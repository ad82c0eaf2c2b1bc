"""The filter between a record table model and its view.

The filter box searches every column (``filterKeyColumn`` is -1), case-insensitively:
each word typed must appear somewhere in the row. Rows are matched against the
model's precomputed lower-case text of the whole row, so a keystroke costs one
substring test per row. Sorting is handed to the source model, which sorts on
precomputed keys; the proxy then keeps the source order and never compares rows
itself (with a thousand rows that would cost tens of thousands of Python calls).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from saferyp_desktop.ui.sections.record_models import RecordTableModel


class RecordFilterProxy(QSortFilterProxyModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._terms: list[str] = []
        self._show_retired = False

    # -- what is shown -------------------------------------------------------------
    @property
    def search_text(self) -> str:
        return " ".join(self._terms)

    def set_search(self, text: str) -> None:
        """Show only the rows in which every word of ``text`` appears (any column, any case)."""
        terms = text.casefold().split()
        if terms == self._terms:
            return
        self.beginFilterChange()
        self._terms = terms
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    @property
    def show_retired(self) -> bool:
        return self._show_retired

    def set_show_retired(self, show: bool) -> None:
        if show == self._show_retired:
            return
        self.beginFilterChange()
        self._show_retired = show
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        model = self.sourceModel()
        if not isinstance(model, RecordTableModel):
            return super().filterAcceptsRow(source_row, source_parent)
        if not self._show_retired and model.is_retired(source_row):
            return False
        if not self._terms:
            return True
        haystack = model.haystack(source_row)
        return all(term in haystack for term in self._terms)

    # -- sorting is the source model's -----------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        model = self.sourceModel()
        if isinstance(model, RecordTableModel):
            model.sort(column, order)
        else:
            super().sort(column, order)
