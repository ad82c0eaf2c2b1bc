"""Custom item-data roles shared by the section models."""

from __future__ import annotations

from PySide6.QtCore import Qt

_USER = Qt.ItemDataRole.UserRole.value

RecordIdRole = _USER + 1  # the id of the record (or link, evidence, finding subject) on the row
RetiredRole = _USER + 2  # True when the row's item is retired
KindRole = _USER + 3  # the record's Kind value
