"""Column widths of the chair's tables: defaults that fit the window, until the chair
drags a column to the width they want."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHeaderView, QTableView

NARROWEST = 48  # an elastic column is never squeezed below this


class FittedColumns(QObject):
    """Give ``view``'s columns their default ``widths``, with the columns up to and including
    ``fit_through`` inside the view: while they would not fit, the ``elastic`` ones among
    them are narrowed in proportion (their text elided, the whole of it in the tooltip).

    The columns follow the view's width until the person resizes one; from then on every
    width stays as it is, through refreshes and resizes of the window.
    """

    def __init__(self, view: QTableView, widths: Sequence[int], *, fit_through: int,
                 elastic: Collection[int]) -> None:
        super().__init__(view)
        self.view = view
        self.widths = tuple(widths)
        self.fit_through = fit_through
        self.elastic = frozenset(elastic)
        self.chosen = False  # the person resized a column
        self._fitting = False
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.sectionResized.connect(self._resized)
        view.viewport().installEventFilter(self)
        self.fit()

    def fit(self) -> None:
        """Set the default widths, narrowed to the view's width as it is now."""
        shown = [(column, width) for column, width in enumerate(self.widths)
                 if column <= self.fit_through]
        fixed = sum(width for column, width in shown if column not in self.elastic)
        flexible = sum(width for column, width in shown if column in self.elastic)
        room = self.view.viewport().width() - fixed
        scale = min(1.0, max(room, 0) / flexible) if flexible else 1.0
        header = self.view.horizontalHeader()
        self._fitting = True
        try:
            for column, width in enumerate(self.widths[: header.count()]):
                if column in self.elastic and column <= self.fit_through:
                    width = max(NARROWEST, int(width * scale))
                header.resizeSection(column, width)
        finally:
            self._fitting = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if event.type() == QEvent.Type.Resize and not self.chosen:
            self.fit()
        return False

    def _resized(self, column: int, _old: int, _new: int) -> None:
        # The header itself stretches the last column to the view's edge: not a choice.
        if not self._fitting and column != self.view.horizontalHeader().count() - 1:
            self.chosen = True
