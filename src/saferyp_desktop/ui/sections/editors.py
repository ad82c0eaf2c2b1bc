"""Detail editors: the fields of one record (DESIGN.md §3), saved through the session.

An editor shows one record, or a new blank one. Changes are saved with Enter in a
one-line field, the "Save changes" button or Ctrl+S — each save is one undoable
step written to disk at once. In presentation mode a person's name, aliases and
handles are never put in a widget: the editor shows the record as reduced to
initials, read-only, and a save keeps the stored values of those fields.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from saferyp_desktop.domain.checks import last_seen
from saferyp_desktop.domain.levels import DataLevel, redact
from saferyp_desktop.domain.records import (
    MAPPED_KINDS,
    Action,
    ActionOrigin,
    ActionStatus,
    Adult,
    Awareness,
    ConcernLevel,
    KeyConcern,
    Kind,
    KnownTo,
    Location,
    LocationKind,
    Meeting,
    MeetingStatus,
    PeerGroup,
    Rag,
    Record,
    Strength,
    StrengthKind,
    YoungPerson,
    derive_initials,
)
from saferyp_desktop.errors import SaferypError
from saferyp_desktop.ui.dialogs import dialogs
from saferyp_desktop.ui.sections.fields import (
    AttendeesEditor,
    CheckList,
    ChoiceCombo,
    LinkedRecordsEditor,
    ListTextEdit,
    OptionalDateEdit,
    OptionalNumber,
    from_qdate,
    to_qdate,
)
from saferyp_desktop.ui.session import Session

KIND_NOUNS = {
    Kind.YOUNG_PERSON: "young person",
    Kind.ADULT: "adult",
    Kind.PEER_GROUP: "peer group",
    Kind.LOCATION: "location or context",
    Kind.STRENGTH: "strength",
    Kind.KEY_CONCERN: "concern or question",
    Kind.ACTION: "action",
    Kind.MEETING: "meeting",
}


def _enum_choices(enum) -> list[tuple[str, str]]:
    return [(member.value, member.value[:1].upper() + member.value[1:]) for member in enum]


class _PlainText(QPlainTextEdit):
    """Several lines of text; Tab moves on rather than typing a tab."""

    def __init__(self, parent=None, lines: int = 3) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        height = self.fontMetrics().lineSpacing() * lines + 12
        self.setFixedHeight(height)


def lock_field(widget: QWidget) -> None:
    """Make one field show its value without letting it be changed."""
    if isinstance(widget, QLineEdit | QPlainTextEdit | QAbstractSpinBox):
        widget.setReadOnly(True)  # still selectable and readable, unlike a disabled field
        widget.setEnabled(True)
        if isinstance(widget, QAbstractSpinBox):
            widget.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
    elif isinstance(widget, CheckList | LinkedRecordsEditor | AttendeesEditor | OptionalDateEdit):
        widget.set_read_only(True)
        widget.setEnabled(True)
    else:
        widget.setEnabled(False)  # a combo box or a check box has no read-only state


@dataclass
class _Binding:
    attr: str
    widget: QWidget
    get: Callable[[], Any]
    set: Callable[[Any], None]
    personal: bool = False


class _UndoFallsThrough(QObject):
    """Ctrl+Z (and redo) in a text field with nothing of its own to undo goes to the
    program's Edit ▸ Undo instead: a field otherwise takes the keys and does nothing,
    for example just after its record was saved."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(event, QKeyEvent):
            return False
        if event.matches(QKeySequence.StandardKey.Undo):
            available = _text_can(watched, undo=True)
        elif event.matches(QKeySequence.StandardKey.Redo):
            available = _text_can(watched, undo=False)
        else:
            return False
        if available:
            return False  # the field undoes its own typing
        event.ignore()  # not the field's: the shortcut goes to the window's action
        return True


def _text_can(widget: QObject, *, undo: bool) -> bool:
    if isinstance(widget, QLineEdit):
        return widget.isUndoAvailable() if undo else widget.isRedoAvailable()
    if isinstance(widget, QPlainTextEdit):
        document = widget.document()
        return document.isUndoAvailable() if undo else document.isRedoAvailable()
    return True


class RecordEditor(QWidget):
    """The fields of one record of ``KIND``, with Save, Revert and (for mapped records)
    "Confirm still current".

    ``read_only``: the fields shown but not changeable, without the buttons (a chair
    reading a school's submission); nothing is ever saved."""

    KIND: ClassVar[Kind]
    applied = Signal(str)  # the id of the record just saved
    dirtyChanged = Signal(bool)

    def __init__(self, session: Session, parent=None, *, read_only: bool = False) -> None:
        super().__init__(parent)
        self.session: Session | None = session
        self.read_only = read_only
        self._record: Record | None = None  # as stored; None when nothing is shown
        self._is_new = False
        self._dirty = False
        self._loading = False
        self._bindings: list[_Binding] = []
        self._display_blank: Record | None = None  # what empty fields show
        self._undo_falls_through = _UndoFallsThrough(self)

        self.heading = QLabel(self)
        heading_font = self.heading.font()
        heading_font.setBold(True)
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.2)
        self.heading.setFont(heading_font)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.heading.setWordWrap(True)  # never wider than the pane: a long name wraps
        self.retired_note = QLabel(self)
        self.retired_note.setObjectName("retiredNote")
        self.retired_note.setWordWrap(True)
        self.retired_note.hide()
        self.presentation_note = QLabel(
            self.tr("Presentation mode: names are shown as initials and cannot be edited."), self
        )
        self.presentation_note.setWordWrap(True)
        self.presentation_note.hide()

        self.fields = QWidget(self)
        self.form = QFormLayout(self.fields)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._build()
        self.notes = _PlainText(self.fields, lines=3)
        self._bind_text_area("notes", self.notes, self.tr("Notes"))

        self.save_button = QPushButton(self.tr("Save changes"), self)
        self.save_button.setToolTip(self.tr("Save changes (Enter in a field, or Ctrl+S)"))
        self.revert_button = QPushButton(self.tr("Revert"), self)
        self.revert_button.setToolTip(self.tr("Put the fields back as saved"))
        self.restore_button = QPushButton(self.tr("Restore"), self)
        self.restore_button.setToolTip(self.tr("Bring this retired record back"))
        self.restore_button.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)

        self.confirm_button = QPushButton(self.tr("Confirm still current"), self)
        self.confirm_button.setToolTip(
            self.tr("Record that you checked today that this is still true")
        )
        self.currency_note = QLabel(self)
        self.currency_note.setWordWrap(True)
        currency = QHBoxLayout()
        currency.addWidget(self.confirm_button)
        currency.addWidget(self.currency_note, 1)
        mapped = self.KIND in MAPPED_KINDS
        self.confirm_button.setVisible(mapped)
        self.currency_note.setVisible(mapped)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.retired_note)
        layout.addWidget(self.presentation_note)
        layout.addWidget(self.fields)
        layout.addLayout(buttons)
        layout.addLayout(currency)

        self.save_button.clicked.connect(self.apply)
        self.revert_button.clicked.connect(self.revert)
        self.restore_button.clicked.connect(self.restore)
        self.confirm_button.clicked.connect(self.confirm_current)
        for keys in (QKeySequence.StandardKey.Save, QKeySequence("Ctrl+Return")):
            if read_only:
                break
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.apply)
        if read_only:
            for button in (self.save_button, self.revert_button, self.restore_button,
                           self.confirm_button):
                button.hide()
        for widget, name in (
            (self.save_button, self.tr("Save changes")),
            (self.revert_button, self.tr("Revert changes")),
            (self.confirm_button, self.tr("Confirm still current")),
            (self.restore_button, self.tr("Restore retired record")),
        ):
            widget.setAccessibleName(name)
        self.show_nothing()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        # Every text field, those a subclass added too (installing twice is harmless).
        for field in [*self.findChildren(QLineEdit), *self.findChildren(QPlainTextEdit)]:
            field.installEventFilter(self._undo_falls_through)

    # -- what each kind of record has ------------------------------------------------
    def _build(self) -> None:
        raise NotImplementedError

    def blank(self) -> Record:
        """A new record of this kind, before anything is typed."""
        raise NotImplementedError

    def _loaded(self, shown: Record) -> None:
        """After the fields are filled (a hook for fields that depend on each other)."""

    # -- binding fields ----------------------------------------------------------------
    def _row(self, label: str, widget: QWidget) -> None:
        widget.setAccessibleName(label.replace("&", ""))
        self.form.addRow(label, widget)

    def _bind(self, attr: str, widget: QWidget, get, set_, signal, label: str, personal: bool = False) -> None:
        self._bindings.append(_Binding(attr, widget, get, set_, personal))
        signal.connect(self._edited)
        self._row(label, widget)

    def _bind_line(self, attr: str, widget: QLineEdit, label: str, personal: bool = False) -> None:
        self._bind(attr, widget, widget.text, widget.setText, widget.textEdited, label, personal)
        widget.returnPressed.connect(self.apply)

    def _bind_text_area(self, attr: str, widget: QPlainTextEdit, label: str) -> None:
        def set_text(text: str) -> None:
            with QSignalBlocker(widget):
                widget.setPlainText(text)

        # Free text may name someone: read-only (scrubbed) in presentation mode, and never
        # saved back from there.
        self._bind(attr, widget, widget.toPlainText, set_text, widget.textChanged, label, personal=True)

    def _bind_list(self, attr: str, widget: ListTextEdit, label: str, personal: bool = False) -> None:
        self._bind(attr, widget, widget.values, widget.set_values, widget.changed, label, personal)
        widget.returnPressed.connect(self.apply)

    def _bind_combo(self, attr: str, widget: ChoiceCombo, label: str) -> None:
        self._bind(attr, widget, widget.value, widget.set_value, widget.changed, label)

    def _bind_optional_id(self, attr: str, widget: ChoiceCombo, label: str) -> None:
        self._bind(
            attr,
            widget,
            lambda: widget.value() or None,
            lambda value: widget.set_value(value or ""),
            widget.changed,
            label,
        )

    def _bind_checks(self, attr: str, widget: CheckList, label: str) -> None:
        self._bind(attr, widget, widget.values, widget.set_values, widget.changed, label)

    def _bind_number(self, attr: str, widget: OptionalNumber, label: str) -> None:
        self._bind(attr, widget, widget.number, widget.set_number, widget.changed, label)

    def _bind_date(self, attr: str, widget: OptionalDateEdit, label: str) -> None:
        self._bind(attr, widget, widget.value, widget.set_value, widget.changed, label)

    def _bind_bool(self, attr: str, widget: QCheckBox, label: str) -> None:
        def set_checked(value: bool) -> None:
            with QSignalBlocker(widget):
                widget.setChecked(bool(value))

        self._bind(attr, widget, widget.isChecked, set_checked, widget.toggled, label)

    def _bind_records(self, attr: str, widget: LinkedRecordsEditor, label: str) -> None:
        self._bind(attr, widget, widget.ids, widget.set_ids, widget.changed, label)

    def _harm_checks(self) -> CheckList:
        return CheckList(self._profile_choices("harm_categories"), self.fields)

    def _profile_choices(self, group: str) -> list[tuple[str, str]]:
        assert self.session is not None
        return [(c.key, c.label) for c in getattr(self.session.profile, group)]

    def _meeting_choices(self) -> list[tuple[str, str]]:
        choices = [("", self.tr("No meeting"))]
        if self.session is not None:
            meetings = self.session.table().of_kind(Kind.MEETING)
            choices += [(m.id, m.date.isoformat()) for m in meetings if isinstance(m, Meeting)]
        return choices

    # -- state ---------------------------------------------------------------------------
    @property
    def record(self) -> Record | None:
        """The record shown, as stored (None for nothing, or a new record not yet saved)."""
        return None if self._is_new else self._record

    @property
    def record_id(self) -> str | None:
        return None if self._record is None or self._is_new else self._record.id

    @property
    def is_new(self) -> bool:
        return self._is_new

    @property
    def dirty(self) -> bool:
        return self._dirty

    def _presenting(self) -> bool:
        return self.session is not None and self.session.level != DataLevel.FULL

    def _edited(self, *_args: object) -> None:
        if not self._loading and not self.read_only:
            self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        changed = dirty != self._dirty
        self._dirty = dirty
        self._update_buttons()
        if changed:
            self.dirtyChanged.emit(dirty)

    def _update_buttons(self) -> None:
        shown = self._record is not None and not self.read_only
        retired = shown and not self._is_new and not self._record.active
        self.save_button.setEnabled(shown and not retired and (self._dirty or self._is_new))
        self.revert_button.setEnabled(shown and self._dirty and not self._is_new)
        self.confirm_button.setEnabled(shown and not self._is_new and not retired)
        self.restore_button.setVisible(bool(retired))

    # -- showing -------------------------------------------------------------------------
    def show_nothing(self) -> None:
        """Empty fields: no record is selected."""
        self._record, self._is_new = None, False
        self._fill(None)
        noun = self.tr(KIND_NOUNS[self.KIND])
        article = "an" if noun[:1].lower() in "aeiou" else "a"
        if self.read_only:
            self.heading.setText(self.tr("Select %s %s to see it") % (article, noun))
        else:
            self.heading.setText(self.tr("Select %s %s, or press Ctrl+N to add one") % (article, noun))
        self.fields.setEnabled(False)
        self.currency_note.clear()
        self.retired_note.hide()
        self.presentation_note.hide()
        self._set_dirty(False)

    def start_new(self) -> None:
        """Blank fields for a new record; it is added when saved."""
        if self.read_only:
            return
        self._record, self._is_new = self.blank(), True
        self._fill(self._record)
        self.heading.setText(self.tr("New %s") % self.tr(KIND_NOUNS[self.KIND]))
        self.fields.setEnabled(True)
        self.currency_note.clear()
        self.retired_note.hide()
        self.presentation_note.hide()
        self._set_dirty(False)
        self._focus_first()

    def show_record(self, record: Record | None) -> None:
        """Show ``record`` as stored (None: nothing)."""
        if record is None:
            self.show_nothing()
            return
        self._record, self._is_new = record, False
        self._fill(record)
        self.heading.setText(self._heading_text(record))
        self.fields.setEnabled(record.active)
        self.retired_note.setVisible(not record.active)
        if self.read_only:
            self.fields.setEnabled(True)  # readable; each field is read-only instead
        if not record.active and record.retired is not None:
            self.retired_note.setText(
                self.tr("Retired on %s: kept on record, no longer shown. Restore it to edit it.")
                % record.retired.astimezone().date().isoformat()
            )
        self.presentation_note.setVisible(self._presenting() and self._has_personal_fields())
        self._show_currency(record)
        self._set_dirty(False)

    def reload(self) -> None:
        """Show the stored state of the current record again (after undo, or a level change)."""
        if self.session is None or self._record is None:
            return
        if self._is_new:
            return
        stored = self.session.table().get(self._record.id)
        self.show_record(stored)

    def relevel(self) -> None:
        """Show the same thing again at the session's new data level (presentation mode)."""
        if self._record is None:
            self.show_nothing()
        elif self._is_new:
            self._prepare_choices(self._record)
        else:
            self.reload()

    def clear(self) -> None:
        """Forget the record and the session (the workspace is locking)."""
        self.show_nothing()
        self.session = None
        for binding in self._bindings:
            if isinstance(binding.widget, LinkedRecordsEditor):
                binding.widget.set_session(None)
        self._clear_choices()

    def _clear_choices(self) -> None:
        """Drop lists built from the workspace (meetings, records)."""

    def _heading_text(self, record: Record) -> str:
        assert self.session is not None
        name = self.session.name_of(record)
        title = record.code if name == record.code else f"{record.code} — {name}"
        if self.KIND in (Kind.KEY_CONCERN, Kind.ACTION):
            title = record.code
        return title

    def _has_personal_fields(self) -> bool:
        return any(b.personal for b in self._bindings)

    def _fill(self, record: Record | None) -> None:
        self._loading = True
        try:
            self._prepare_choices(record)
            presenting = self._presenting() and not self._is_new
            if record is None:
                shown = None
            elif presenting:
                # Names written into notes or a concern's words become initials too.
                shown = redact(record, self.session.level, self.session.scrubber())
            else:
                shown = record
            for binding in self._bindings:
                binding.set(getattr(shown or self.blank_for_display(), binding.attr))
                if binding.personal:
                    self._set_read_only(binding.widget, presenting)
                if self.read_only:
                    lock_field(binding.widget)
            if shown is not None:
                self._loaded(shown)
        finally:
            self._loading = False

    def blank_for_display(self) -> Record:
        if self._display_blank is None:
            self._display_blank = self.blank()
        return self._display_blank

    def _prepare_choices(self, record: Record | None) -> None:
        """Fill choice lists that come from the workspace (e.g. other records)."""
        for binding in self._bindings:
            if isinstance(binding.widget, LinkedRecordsEditor) and self.session is not None:
                binding.widget.set_session(self.session, record.id if record else None)

    @staticmethod
    def _set_read_only(widget: QWidget, read_only: bool) -> None:
        # Disabled rather than read-only, so it looks as unavailable as it is.
        widget.setEnabled(not read_only)
        if isinstance(widget, QLineEdit):
            widget.setReadOnly(read_only)

    def _show_currency(self, record: Record) -> None:
        if self.session is None or self.KIND not in MAPPED_KINDS:
            return
        parts = []
        parts.append(
            self.tr("Last confirmed: %s.") % record.last_confirmed.isoformat()
            if record.last_confirmed
            else self.tr("Never confirmed.")
        )
        seen = last_seen(self.session.table(), record)
        meeting = self.session.workspace.next_meeting()
        if meeting is not None:
            window = self.session.profile.currency_window_weeks
            since = meeting.date.toordinal() - window * 7
            current = seen is not None and seen.toordinal() >= since
            parts.append(
                self.tr("Current for the meeting on %s.") % meeting.date.isoformat()
                if current
                else self.tr("Not current for the meeting on %s (%d-week window).")
                % (meeting.date.isoformat(), window)
            )
        self.currency_note.setText(" ".join(parts))

    def focus_first_field(self) -> None:
        """Put the keyboard in the first field that can be edited."""
        if not self.read_only:
            self._focus_first()

    def _focus_first(self) -> None:
        for binding in self._bindings:
            if binding.widget.isEnabled():
                binding.widget.setFocus(Qt.FocusReason.OtherFocusReason)
                if isinstance(binding.widget, QLineEdit):
                    binding.widget.selectAll()
                return

    # -- saving -----------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """What the fields say, except personal fields that presentation mode hides."""
        presenting = self._presenting() and not self._is_new
        return {b.attr: b.get() for b in self._bindings if not (b.personal and presenting)}

    def edited_record(self) -> Record:
        """The record as stored now, with the fields' values (a copy; nothing is saved).

        Starting from the stored state keeps what changed meanwhile outside the fields
        (an undo, a retirement, a confirmation)."""
        assert self._record is not None
        stored = None if self._is_new or self.session is None else self.session.table().get(self._record.id)
        base = copy.deepcopy(stored or self._record)
        return dataclasses.replace(base, **self._adjust(self.values()))

    def _adjust(self, values: dict[str, Any]) -> dict[str, Any]:
        """A last word on the values before they are saved (hook)."""
        return values

    def apply(self, quiet: bool = False) -> bool:
        """Save what the fields say, as one undoable step. False if the workspace refused
        (saying why, unless ``quiet``)."""
        if self.read_only:
            return True  # nothing is ever changed here, so nothing is left unsaved
        if self.session is None or self._record is None:
            return False
        if not self._is_new and (not self._dirty or not self._record.active):
            return True
        stored = None if self._is_new else self.session.table().get(self._record.id)
        if not self._is_new and (stored is None or not stored.active):
            self.reload()  # retired meanwhile: there is nothing to save the edits to
            return True
        try:
            record = self.edited_record()
            record.validate()  # before the workspace gives a new record its code
            self.session.save(record)
        except SaferypError as error:
            if not quiet:
                dialogs().error(self, self.tr("Not saved"), error.message)
            return False
        stored = self.session.table().get(record.id)
        self._is_new = False
        self.show_record(stored)
        self.applied.emit(record.id)
        return True

    def revert(self) -> None:
        if self._is_new:
            self.start_new()
        else:
            self.reload()

    def restore(self) -> None:
        """Bring a retired record back (one undoable step)."""
        if self.read_only or self.session is None or self._record is None or self._record.active:
            return
        restored = copy.deepcopy(self._record)
        restored.retired = None
        try:
            self.session.save(restored, self.tr("Restore %s"))
        except SaferypError as error:
            dialogs().error(self, self.tr("Not restored"), error.message)
            return
        self.reload()
        self.applied.emit(restored.id)

    def confirm_current(self) -> None:
        """Save any edits, then record that the DSL confirmed the record today."""
        if self.read_only or self.session is None or self.record is None or not self.apply():
            return
        stored = self.session.table().get(self.record.id)
        if stored is None:
            return
        try:
            self.session.confirm_current(stored)
        except SaferypError as error:
            dialogs().error(self, self.tr("Not confirmed"), error.message)
            return
        self.reload()


class YoungPersonEditor(RecordEditor):
    KIND = Kind.YOUNG_PERSON

    def _build(self) -> None:
        f = self.fields
        self.name_edit = QLineEdit(f)
        self._bind_line("name", self.name_edit, self.tr("&Name"), personal=True)
        self.initials_edit = QLineEdit(f)
        self.initials_edit.setMaxLength(8)
        self._bind_line("initials", self.initials_edit, self.tr("&Initials"), personal=True)
        self.name_edit.textEdited.connect(self._name_edited)
        self.year_group = OptionalNumber(0, 14, f)
        self.year_group.setToolTip(self.tr("0 is Reception"))
        self._bind_number("year_group", self.year_group, self.tr("&Year group"))
        self.age = OptionalNumber(3, 25, f)
        self._bind_number("age", self.age, self.tr("A&ge"))
        self.gender = QLineEdit(f)
        self.gender.setPlaceholderText(self.tr("Optional"))
        self._bind_line("gender", self.gender, self.tr("Gen&der"))
        self.known_to = CheckList(_enum_choices(KnownTo), f)
        self._bind_checks("known_to", self.known_to, self.tr("Known to"))
        self.worker_aware = ChoiceCombo(_enum_choices(Awareness), f)
        self._bind_combo("worker_aware", self.worker_aware, self.tr("Social worker or key worker aware"))
        self.harm = self._harm_checks()
        self._bind_checks("harm_categories", self.harm, self.tr("Harm categories"))
        self.concern = ChoiceCombo(_enum_choices(ConcernLevel), f)
        self._bind_combo("concern_level", self.concern, self.tr("Level of &concern"))
        self.strengths = _PlainText(f, lines=2)
        self._bind_text_area("strengths", self.strengths, self.tr("Strengths"))

    def blank(self) -> Record:
        return YoungPerson(name="")

    def _loaded(self, shown: Record) -> None:
        self._initials_follow = self.initials_edit.text() == derive_initials(self.name_edit.text())

    def _name_edited(self, text: str) -> None:
        # Initials follow the name until someone edits them by hand.
        if getattr(self, "_initials_follow", True) and not self.initials_edit.isReadOnly():
            self.initials_edit.setText(derive_initials(text))

    def _adjust(self, values: dict[str, Any]) -> dict[str, Any]:
        if "initials" in values and not values["initials"].strip():
            values["initials"] = derive_initials(values.get("name", ""))
        return values


class AdultEditor(RecordEditor):
    KIND = Kind.ADULT

    def _build(self) -> None:
        f = self.fields
        self.name_edit = QLineEdit(f)
        self._bind_line("name", self.name_edit, self.tr("&Name or description"), personal=True)
        self.aliases = ListTextEdit(f)
        self._bind_list("aliases", self.aliases, self.tr("&Aliases or nicknames"), personal=True)
        self.approx_age = OptionalNumber(16, 110, f)
        self._bind_number("approx_age", self.approx_age, self.tr("Approximate a&ge"))
        self.vehicle = QLineEdit(f)
        self._bind_line("vehicle", self.vehicle, self.tr("&Vehicle"))
        self.handles = ListTextEdit(f)
        self._bind_list("handles", self.handles, self.tr("&Phone or online handles"), personal=True)
        self.harm = self._harm_checks()
        self._bind_checks("harm_categories", self.harm, self.tr("Harm categories"))
        self.concern = ChoiceCombo(_enum_choices(ConcernLevel), f)
        self._bind_combo("concern_level", self.concern, self.tr("Level of &concern"))

    def blank(self) -> Record:
        return Adult(name="")


class PeerGroupEditor(RecordEditor):
    KIND = Kind.PEER_GROUP

    def _build(self) -> None:
        f = self.fields
        self.label_edit = QLineEdit(f)
        self._bind_line("label", self.label_edit, self.tr("&Label"))
        self.description = _PlainText(f, lines=2)
        self._bind_text_area("description", self.description, self.tr("Description"))
        self.members = LinkedRecordsEditor((Kind.YOUNG_PERSON,), with_roles=True, parent=f)
        self._bind(
            "members",
            self.members,
            self.members.members,
            self.members.set_members,
            self.members.changed,
            self.tr("Members"),
        )
        self.harm = self._harm_checks()
        self._bind_checks("harm_categories", self.harm, self.tr("Harm categories"))
        self.concern = ChoiceCombo(_enum_choices(ConcernLevel), f)
        self._bind_combo("concern_level", self.concern, self.tr("Level of &concern"))

    def blank(self) -> Record:
        return PeerGroup(label="")


class LocationEditor(RecordEditor):
    KIND = Kind.LOCATION

    def _build(self) -> None:
        f = self.fields
        self.label_edit = QLineEdit(f)
        self._bind_line("label", self.label_edit, self.tr("&Label"))
        self.location_kind = ChoiceCombo(_enum_choices(LocationKind), f)
        self._bind_combo("location_kind", self.location_kind, self.tr("&Kind"))
        self.where = QLineEdit(f)
        self._bind_line("where", self.where, self.tr("&Where"))
        self.postcode = QLineEdit(f)
        self.postcode.setMaxLength(9)
        self._bind_line("postcode", self.postcode, self.tr("&Postcode"))
        self.when = QLineEdit(f)
        self.when.setPlaceholderText(self.tr("Days and times"))
        self._bind_line("when", self.when, self.tr("W&hen"))
        self.guardianship = _PlainText(f, lines=2)
        self._bind_text_area("guardianship", self.guardianship, self.tr("What makes it safer"))
        self.harm = self._harm_checks()
        self._bind_checks("harm_categories", self.harm, self.tr("Harm categories"))
        self.rating = ChoiceCombo(_enum_choices(Rag), f)
        self._bind_combo("rating", self.rating, self.tr("&Safety rating"))

    def blank(self) -> Record:
        return Location(label="")


class StrengthEditor(RecordEditor):
    KIND = Kind.STRENGTH

    def _build(self) -> None:
        f = self.fields
        self.label_edit = QLineEdit(f)
        self._bind_line("label", self.label_edit, self.tr("&Label"))
        self.strength_kind = ChoiceCombo(_enum_choices(StrengthKind), f)
        self._bind_combo("strength_kind", self.strength_kind, self.tr("&Kind"))
        self.description = _PlainText(f, lines=2)
        self._bind_text_area("description", self.description, self.tr("Description"))
        self.linked = LinkedRecordsEditor(MAPPED_KINDS, parent=f)
        self._bind_records("linked_ids", self.linked, self.tr("Linked records"))

    def blank(self) -> Record:
        return Strength(label="")


class KeyConcernEditor(RecordEditor):
    KIND = Kind.KEY_CONCERN

    def _build(self) -> None:
        f = self.fields
        self.text_edit = _PlainText(f, lines=3)
        self._bind_text_area("text", self.text_edit, self.tr("Concern or question"))
        self.is_question = QCheckBox(self.tr("This is a question for the meeting"), f)
        self._bind_bool("is_question", self.is_question, self.tr("Question"))
        self.linked = LinkedRecordsEditor(MAPPED_KINDS, parent=f)
        self._bind_records("linked_ids", self.linked, self.tr("Linked records"))
        self.meeting = ChoiceCombo(parent=f)
        self._bind_optional_id("meeting_id", self.meeting, self.tr("&Meeting"))

    def blank(self) -> Record:
        return KeyConcern(text="")

    def _prepare_choices(self, record: Record | None) -> None:
        super()._prepare_choices(record)
        self.meeting.set_choices(self._meeting_choices())

    def _clear_choices(self) -> None:
        self.meeting.set_choices([])


class ActionEditor(RecordEditor):
    KIND = Kind.ACTION

    def _build(self) -> None:
        f = self.fields
        assert self.session is not None
        self.catalogue = ChoiceCombo([(a.key, a.label) for a in self.session.profile.actions], f)
        self.catalogue.setMinimumContentsLength(30)
        self._bind_combo("catalogue_key", self.catalogue, self.tr("&Action"))
        self.sub_choice = ChoiceCombo(parent=f)
        self.sub_choice_label = QLabel(self.tr("Outcome"), f)
        self._bindings.append(
            _Binding("sub_choice", self.sub_choice, self.sub_choice.value, self.sub_choice.set_value)
        )
        self.sub_choice.changed.connect(self._edited)
        self.sub_choice.setAccessibleName(self.tr("Outcome"))
        self.form.addRow(self.sub_choice_label, self.sub_choice)
        self.catalogue.changed.connect(self._catalogue_changed)
        self.detail = _PlainText(f, lines=2)
        self._bind_text_area("detail", self.detail, self.tr("Detail"))
        self.linked = LinkedRecordsEditor(MAPPED_KINDS, parent=f)
        self._bind_records("linked_ids", self.linked, self.tr("Linked records"))
        self.owner = ChoiceCombo([("", self.tr("Not yet agreed")), *self._profile_choices("agencies")], f)
        self._bind_combo("owner_agency", self.owner, self.tr("&Owner agency"))
        self.due = OptionalDateEdit(self.tr("Due by"), f)
        self._bind_date("due", self.due, self.tr("Due date"))
        self.status = ChoiceCombo(_enum_choices(ActionStatus), f)
        self._bind_combo("status", self.status, self.tr("&Status"))
        self.status.changed.connect(self._status_changed)
        self.rationale = _PlainText(f, lines=2)
        self._bind_text_area("rationale", self.rationale, self.tr("Rationale"))
        self.origin = ChoiceCombo(
            [
                (ActionOrigin.SCHOOL.value, self.tr("Proposed by the school")),
                (ActionOrigin.MEETING.value, self.tr("Agreed at the meeting")),
            ],
            f,
        )
        self._bind_combo("origin", self.origin, self.tr("O&rigin"))
        self.meeting = ChoiceCombo(parent=f)
        self._bind_optional_id("meeting_id", self.meeting, self.tr("&Meeting"))

    def blank(self) -> Record:
        assert self.session is not None
        return Action(catalogue_key=self.session.profile.actions[0].key)

    def _prepare_choices(self, record: Record | None) -> None:
        super()._prepare_choices(record)
        self.meeting.set_choices(self._meeting_choices())
        self._sub_choices_for(getattr(record, "catalogue_key", ""))

    def _clear_choices(self) -> None:
        self.meeting.set_choices([])

    def _loaded(self, shown: Record) -> None:
        self._status_changed()

    def _sub_choices_for(self, key: str) -> None:
        action = self.session.profile.action(key) if self.session else None
        choices = action.sub_choices if action else ()
        self.sub_choice.set_choices([("", self.tr("Not known yet")), *((c, c) for c in choices)])
        self.sub_choice_label.setText(action.sub_label if action and action.sub_label else self.tr("Outcome"))
        self.sub_choice.setAccessibleName(self.sub_choice_label.text())
        self.sub_choice.setVisible(bool(choices))
        self.sub_choice_label.setVisible(bool(choices))

    def _catalogue_changed(self) -> None:
        self._sub_choices_for(self.catalogue.value())
        if not self._loading:
            self.sub_choice.set_value("")

    def _status_changed(self) -> None:
        needed = self.status.value() == ActionStatus.NOT_TAKEN_FORWARD.value
        self.rationale.setPlaceholderText(
            self.tr("Required: why this is not taken forward") if needed else self.tr("Why this action")
        )
        label = self.form.labelForField(self.rationale)
        if isinstance(label, QLabel):
            label.setText(self.tr("Rationale (required)") if needed else self.tr("Rationale"))


class MeetingEditor(RecordEditor):
    KIND = Kind.MEETING

    def _build(self) -> None:
        f = self.fields
        self.date_edit = QDateEdit(f)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("d MMM yyyy")

        def set_date(value: date) -> None:
            with QSignalBlocker(self.date_edit):
                self.date_edit.setDate(to_qdate(value))

        self._bind(
            "date",
            self.date_edit,
            lambda: from_qdate(self.date_edit.date()),
            set_date,
            self.date_edit.dateChanged,
            self.tr("&Date"),
        )
        self.venue = QLineEdit(f)
        self._bind_line("venue", self.venue, self.tr("&Venue or area"))
        self.chair = QLineEdit(f)
        self._bind_line("chair", self.chair, self.tr("&Chair"))
        self.attendees = AttendeesEditor(f)
        self.attendees.set_agencies(self._profile_choices("agencies"))
        self._bind(
            "attendees",
            self.attendees,
            self.attendees.attendees,
            self.attendees.set_attendees,
            self.attendees.changed,
            self.tr("Attendees"),
        )
        self.status = ChoiceCombo(_enum_choices(MeetingStatus), f)
        self._bind_combo("status", self.status, self.tr("&Status"))
        self.bundles = QLabel(f)
        self.form.addRow(self.tr("Bundles"), self.bundles)

    def blank(self) -> Record:
        return Meeting(date=date.today())

    def _loaded(self, shown: Record) -> None:
        count = len(getattr(shown, "bundles", []))
        self.bundles.setText(self.tr("None sent or received yet") if not count else str(count))


EDITOR_FOR_KIND: dict[Kind, type[RecordEditor]] = {
    editor.KIND: editor
    for editor in (
        YoungPersonEditor,
        AdultEditor,
        PeerGroupEditor,
        LocationEditor,
        StrengthEditor,
        KeyConcernEditor,
        ActionEditor,
        MeetingEditor,
    )
}
