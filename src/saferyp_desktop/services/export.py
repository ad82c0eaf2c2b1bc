"""What the desktop program's export commands use: the briefing, the bundle for the chair,
the chair a school sends to, and the school's own key card.

A thin façade over :mod:`services.briefing` and :mod:`services.exchange`, so the
windows have one place to import from (the "Prepare for a meeting" wizard offers its
export buttons only when this module exists).

The briefing's names come from :mod:`services.briefing` on first use: building PDFs
loads reportlab, a second or so, which a window should not pay for when it opens (the
main window imports it ahead, on a background thread).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from saferyp_desktop.services.exchange import (
    BUNDLE_SUFFIX,
    DEFAULT_BUNDLE_LEVEL,
    BundleResult,
    ChairInfo,
    chair,
    export_bundle,
    set_chair,
    suggested_bundle_name,
)
from saferyp_desktop.services.workspace import Workspace

if TYPE_CHECKING:
    from saferyp_desktop.services.briefing import (
        briefing_bytes,
        export_briefing,
        suggested_briefing_name,
    )

BRIEFING_MODULE = "saferyp_desktop.services.briefing"
_FROM_BRIEFING = ("briefing_bytes", "export_briefing", "suggested_briefing_name")

__all__ = [
    "BUNDLE_SUFFIX",
    "DEFAULT_BUNDLE_LEVEL",
    "BRIEFING_MODULE",
    "KEY_CARD_SUFFIX",
    "BundleResult",
    "ChairInfo",
    "briefing_bytes",
    "chair",
    "export_briefing",
    "export_bundle",
    "key_card_text",
    "note_briefing_printed",
    "set_chair",
    "suggested_briefing_name",
    "suggested_bundle_name",
    "suggested_key_card_name",
]

KEY_CARD_SUFFIX = ".sypkey"


def suggested_key_card_name(workspace: Workspace) -> str:
    """``key-card-990001.sypkey`` for a school (its URN); ``key-card-chair.sypkey`` for a
    chair: no personal name in a file name."""
    details = workspace.details
    owner = details.urn if details.role == "school" and details.urn else details.role
    return f"key-card-{owner}{KEY_CARD_SUFFIX}"


def key_card_text(workspace: Workspace) -> str:
    """This workspace's key card (public keys only), as ``saferyp key`` prints it."""
    return workspace.key_card().to_text()


def note_briefing_printed(workspace: Workspace, meeting_id: str | None) -> None:
    """Note in the audit log that the briefing for a meeting went to a printer (the
    same event as an exported briefing; the meeting's record id only, no names)."""
    briefing = importlib.import_module(BRIEFING_MODULE)
    meeting, planned = briefing.find_meeting(workspace, meeting_id)
    workspace.repo.audit(briefing.AUDIT_EVENT, [meeting.id] if planned else [])


def __getattr__(name: str) -> Any:
    if name in _FROM_BRIEFING:
        return getattr(importlib.import_module(BRIEFING_MODULE), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
