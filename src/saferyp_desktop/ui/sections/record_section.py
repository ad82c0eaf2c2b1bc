"""One record section: a filterable, sortable table beside the record's editor,
its evidence and its links."""

from __future__ import annotations

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QSignalBlocker,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from saferyp_desktop.domain.records import MAPPED_KINDS, Kind, Record
from saferyp_desktop.errors import SaferypError
from saferyp_desktop.ui.dialogs import dialogs
from saferyp_desktop.ui.sections.editors import EDITOR_FOR_KIND, KIND_NOUNS, RecordEditor
from saferyp_desktop.ui.sections.evidence import EvidencePanel
from saferyp_desktop.ui.sections.fields import record_text
from saferyp_desktop.ui.sections.filter_proxy import RecordFilterProxy
from saferyp_desktop.ui.sections.links import LinksPanel
from saferyp_desktop.ui.sections.record_models import MODEL_FOR_KIND, RecordTableModel
from saferyp_desktop.ui.session import Session

# Typing waits this long for the next key before filtering, so a fast typist filters once.
FILTER_DELAY_MS = 120


class RecordSection(QWidget):
    """The table of one kind of record, with its editor.

    ``read_only``: the same table, filter and detail, with nothing that changes a
    record (a chair reading a school's submission)."""

    selectionChanged = Signal()  # noqa: N815 - Qt naming

    def __init__(self, session: Session, kind: Kind, title: str, parent: QWidget | None = None,
                 *, read_only: bool = False) -> None:
        super().__init__(parent)
        self.session: Session | None = session
        self.read_only = read_only
        self.kind = kind
        self.title = title
        self.setObjectName(f"section_{kind.value}")
        self.model: RecordTableModel = MODEL_FOR_KIND[kind](session, self)
        self.proxy = RecordFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        # -- the table side -----------------------------------------------------------
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setPlaceholderText(self.tr("Filter: words from any column (Ctrl+F)"))
        self.filter_edit.setAccessibleName(self.tr("Filter %s") % title)
        self.show_retired = QCheckBox(self.tr("Show retired"), self)
        self.show_retired.setAccessibleName(self.tr("Show retired %s") % title)
        self.count_label = QLabel(self)
        self.view = QTableView(self)
        self.view.setObjectName(f"table_{kind.value}")
        self.view.setAccessibleName(title)
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        for column in range(self.model.columnCount()):
            self.view.setColumnWidth(column, self.model.column_width(column))
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        self.add_button = QPushButton(self.tr("Add"), self)
        self.add_button.setToolTip(self.tr("Add a %s (Ctrl+N)") % self.tr(KIND_NOUNS[kind]))
        self.add_button.setAccessibleName(self.tr("Add a %s") % self.tr(KIND_NOUNS[kind]))
        self.retire_button = QPushButton(self.tr("Retire"), self)
        self.retire_button.setToolTip(self.tr("Retire the selected records (Del)"))
        self.retire_button.setAccessibleName(self.tr("Retire the selected records"))

        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.show_retired)
        self.add_button.setVisible(not read_only)
        self.retire_button.setVisible(not read_only)
        bottom = QHBoxLayout()
        bottom.addWidget(self.add_button)
        bottom.addWidget(self.retire_button)
        bottom.addStretch(1)
        bottom.addWidget(self.count_label)
        table_side = QWidget(self)
        table_layout = QVBoxLayout(table_side)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addLayout(top)
        table_layout.addWidget(self.view, 1)
        table_layout.addLayout(bottom)

        # -- the record side -------------------------------------------------------------
        self.editor: RecordEditor = EDITOR_FOR_KIND[kind](session, self, read_only=read_only)
        self.evidence: EvidencePanel | None = None
        self.links: LinksPanel | None = None
        self.tabs: QTabWidget | None = None
        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.addWidget(self.editor)
        if kind in MAPPED_KINDS:
            self.tabs = QTabWidget(detail)
            self.evidence = EvidencePanel(session, self.tabs, read_only=read_only)
            self.links = LinksPanel(session, self.tabs, read_only=read_only)
            self.tabs.addTab(self.evidence, self.tr("&Evidence"))
            self.tabs.addTab(self.links, self.tr("Lin&ks"))
            detail_layout.addWidget(self.tabs)
            self.evidence.changed.connect(self._panel_changed)
            self.links.changed.connect(self._panel_changed)
        detail_layout.addStretch(1)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(detail)
        self.scroll.setMinimumWidth(420)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(table_side)
        self.splitter.addWidget(self.scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([620, 460])
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter)

        # -- wiring -------------------------------------------------------------------------
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        self.filter_edit.textChanged.connect(lambda _text: self._filter_timer.start())
        self.filter_edit.returnPressed.connect(self.apply_filter)
        self.filter_edit.installEventFilter(self)
        self.show_retired.toggled.connect(self.proxy.set_show_retired)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self.selectionChanged.emit())
        self.view.activated.connect(lambda _index: self.editor.focus_first_field())
        self.add_button.clicked.connect(self.add_new)
        self.retire_button.clicked.connect(self.retire_selected)
        self.editor.applied.connect(self._applied)
        # The proxy reports a filtered-out block of rows at a time: count once, after them all.
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(0)
        self._count_timer.timeout.connect(self._update_count)
        for signal in (
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
            self.proxy.modelReset,
            self.proxy.layoutChanged,
        ):
            signal.connect(self._count_timer.start)
        self.selectionChanged.connect(self._update_buttons)
        self._previous_id: str | None = None
        self._update_count()
        self._update_buttons()

    # -- reading ----------------------------------------------------------------------------
    def current_id(self) -> str | None:
        return self.editor.record_id

    def selected_rows(self) -> list[int]:
        """Source rows of the selected records, in the order shown."""
        rows = sorted(index.row() for index in self.view.selectionModel().selectedRows())
        return [self.proxy.mapToSource(self.proxy.index(r, 0)).row() for r in rows]

    def selected_records(self) -> list[Record]:
        return [self.model.record_at(row) for row in self.selected_rows()]

    def visible_ids(self) -> list[str]:
        """Ids of the rows shown, in order (for tests and the wizard)."""
        return [
            self.model.record_at(self.proxy.mapToSource(self.proxy.index(r, 0)).row()).id
            for r in range(self.proxy.rowCount())
        ]

    def copy_text(self) -> str:
        """The selected rows as tab-separated text, as shown (so at the current level)."""
        rows = self.selected_rows()
        if not rows:
            return ""
        header = self.view.horizontalHeader()
        columns = [header.logicalIndex(v) for v in range(header.count())]
        columns = [c for c in columns if not header.isSectionHidden(c)]
        lines = ["\t".join(str(self.model.headerData(c, Qt.Orientation.Horizontal)) for c in columns)]
        for row in rows:
            texts = self.model.row_texts(row)
            lines.append("\t".join(texts[c].replace("\t", " ").replace("\n", " ") for c in columns))
        return "\n".join(lines) + "\n"

    # -- commands ---------------------------------------------------------------------------
    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def apply_filter(self) -> None:
        """Filter now (without waiting for the typing pause)."""
        self._filter_timer.stop()
        self.proxy.set_search(self.filter_edit.text())

    def add_new(self) -> None:
        if self.session is None or self.read_only:
            return
        if self.editor.dirty and not self.editor.apply():
            return
        with QSignalBlocker(self.view.selectionModel()):
            self.view.clearSelection()
            self.view.selectionModel().setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.Clear)
        self._show_panels(None)
        self.editor.start_new()
        self._update_buttons()

    def retire_selected(self) -> None:
        if self.session is None or self.read_only:
            return
        records = [r for r in self.selected_records() if r.active]
        if not records and self.editor.record is not None and self.editor.record.active:
            records = [self.editor.record]
        if not records:
            return
        if len(records) == 1:
            question = self.tr("Retire %s? It is kept on record but no longer shown. You can undo this.") % records[0].code
        else:
            question = self.tr("Retire %d records? They are kept on record but no longer shown. You can undo this.") % len(records)
        if not dialogs().confirm(self, self.tr("Retire"), question, self.tr("Retire")):
            return
        stack = self.session.undo_stack
        try:
            if len(records) > 1:
                stack.beginMacro(self.tr("Retire %d records") % len(records))
            for record in records:
                self.session.retire(record)
        except SaferypError as error:
            dialogs().error(self, self.tr("Not retired"), error.message)
        finally:
            if len(records) > 1:
                stack.endMacro()

    def select_record(self, record_id: str) -> bool:
        """Show ``record_id`` in the table and the editor (clearing a filter that hides it)."""
        source_row = self.model.row_of(record_id)
        if source_row < 0:
            return False
        if self.model.is_retired(source_row) and not self.show_retired.isChecked():
            self.show_retired.setChecked(True)
        index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if not index.isValid():
            self.filter_edit.clear()
            self.apply_filter()
            index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if not index.isValid():
            return False
        self.view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.view.scrollTo(index)
        return True

    def show_link(self, link_id: str) -> None:
        if self.links is not None and self.tabs is not None:
            self.tabs.setCurrentWidget(self.links)
            self.links.select_link(link_id)

    # -- following the session ------------------------------------------------------------
    def on_changed(self, ids: list[str]) -> None:
        if self.session is None:
            return
        self.model.on_changed(ids)
        current = self.editor.record_id
        if current is None:
            self._update_buttons()
            return
        if not ids or any(current in self._records_touched_by(i) for i in ids):
            if not self.editor.dirty:
                self.editor.reload()
            self._show_panels(current)
        self._update_buttons()

    def _records_touched_by(self, item_id: str) -> tuple[str, ...]:
        """The records a change to ``item_id`` shows on: itself, a link's two ends, or
        the subject of evidence (and a link's ends, for evidence on a link)."""
        assert self.session is not None
        table = self.session.table()
        evidence = table.evidence.get(item_id)
        if evidence is not None:
            item_id = evidence.subject_id
        link = table.links.get(item_id)
        return (link.a_id, link.b_id) if link is not None else (item_id,)

    def on_presentation_changed(self) -> None:
        if self.session is None:
            return
        if self.editor.dirty and not self.editor.is_new:
            self.editor.apply()
        self.model.refresh_all()
        self.editor.relevel()
        self._show_panels(self.editor.record_id)

    def clear(self) -> None:
        """Forget everything shown (the workspace is locking)."""
        self._filter_timer.stop()
        self.session = None
        self.filter_edit.clear()
        self.proxy.set_search("")
        self.model.clear()
        self.editor.clear()
        for panel in (self.evidence, self.links):
            if panel is not None:
                panel.clear()
        self._update_count()
        self._update_buttons()

    # -- remembered layout --------------------------------------------------------------------
    def header_state(self) -> QByteArray:
        return self.view.horizontalHeader().saveState()

    def restore_header_state(self, state: QByteArray) -> None:
        self.view.horizontalHeader().restoreState(state)

    # -- internals ------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if watched is self.filter_edit and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down:
            self.apply_filter()
            self.view.setFocus(Qt.FocusReason.TabFocusReason)
            if not self.view.currentIndex().isValid() and self.proxy.rowCount():
                self.view.selectRow(0)
            return True
        return super().eventFilter(watched, event)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self.session is None:
            return
        record = None
        if current.isValid():
            record = self.model.record_at(self.proxy.mapToSource(current).row())
        if record is not None and record.id == self.editor.record_id and not self.editor.is_new:
            return
        if self.editor.dirty and not self.editor.apply():
            # The edits could not be saved: keep them, and the record they belong to.
            keep = self.editor.record_id
            if keep is not None:
                QTimer.singleShot(0, lambda: self.select_record(keep))
            return
        if self.editor.is_new and not self.editor.dirty and record is None:
            return
        self.editor.show_record(record)
        self._show_panels(record.id if record else None)

    def _show_panels(self, record_id: str | None) -> None:
        if self.session is None:
            return
        record = self.session.table().get(record_id) if record_id else None
        text = record_text(self.session, record) if record else ""
        if self.evidence is not None:
            self.evidence.show_subject(record_id if record and record.active else None, text)
        if self.links is not None:
            self.links.show_record(record_id if record and record.active else None)

    def _applied(self, record_id: str) -> None:
        current = self.view.currentIndex()
        shown = (
            self.model.record_at(self.proxy.mapToSource(current).row()).id
            if current.isValid()
            else None
        )
        if shown != record_id:
            self.select_record(record_id)
        self._show_panels(record_id)

    def _panel_changed(self) -> None:
        self.editor.reload()

    def _update_count(self, *_args: object) -> None:
        self._count_timer.stop()
        shown = self.proxy.rowCount()
        total = self.model.rowCount() if self.proxy.show_retired else self.model.active_count()
        self.count_label.setText(self.tr("%d of %d shown") % (shown, total))

    def _update_buttons(self) -> None:
        active = self.session is not None and not self.read_only
        self.add_button.setEnabled(active)
        self.retire_button.setEnabled(
            active and (any(r.active for r in self.selected_records())
                        or (self.editor.record is not None and self.editor.record.active))
        )

