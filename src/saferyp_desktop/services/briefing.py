"""Printing the meeting briefing: gather it from the workspace, build the PDF, write it.

The UI runs :func:`export_briefing` off the GUI thread (a large table takes a few
seconds); the bundle writer embeds :func:`briefing_bytes` in a school's submission.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from pathlib import Path

from saferyp_desktop.domain.checks import run_checks
from saferyp_desktop.domain.levels import PRINT_DEFAULT, DataLevel
from saferyp_desktop.domain.records import Meeting, now
from saferyp_desktop.errors import UsageError
from saferyp_desktop.reports.briefing import (
    BriefingData,
    build_briefing,
    short_document_id,
    suggested_briefing_name,
)
from saferyp_desktop.services.files import refuse_workspace_files
from saferyp_desktop.services.prepare import load_state
from saferyp_desktop.services.workspace import Workspace
from saferyp_desktop.storage.atomic import write_atomic

__all__ = [
    "briefing_bytes",
    "briefing_data",
    "export_briefing",
    "find_meeting",
    "short_document_id",
    "suggested_briefing_name",
]

AUDIT_EVENT = "briefing printed"


def find_meeting(
    workspace: Workspace, meeting_id: str | None = None, today: date | None = None
) -> tuple[Meeting, bool]:
    """The meeting a briefing is for, and whether it is a planned one.

    ``meeting_id`` is a meeting's record id or its date (``YYYY-MM-DD``, as the command
    line names meetings). Without it: the next upcoming meeting, or else an unsaved
    stand-in dated today (``False``: no meeting is planned).
    """
    if meeting_id:
        from saferyp_desktop.services.exchange import find_meeting as find_named_meeting

        # One way to name a meeting: the bundle and the briefing pick the same one.
        return find_named_meeting(workspace, meeting_id), True
    upcoming = workspace.next_meeting(today)
    if upcoming is not None:
        return upcoming, True
    return Meeting(date=today or date.today()), False


def briefing_data(
    workspace: Workspace,
    *,
    level: DataLevel | str = PRINT_DEFAULT,
    meeting_id: str | None = None,
    today: date | None = None,
    document_id: str | None = None,
    created: datetime | None = None,
    diagram_positions: dict[str, tuple[float, float]] | None = None,
) -> BriefingData:
    """Everything the briefing prints, gathered from ``workspace``. ``diagram_positions``
    (every node's, as
    :func:`saferyp_desktop.services.exchange.diagram_positions` gives them) spares laying the
    diagram out again; without them, the diagram is laid out around the dragged nodes."""
    try:
        level = DataLevel(level)
    except ValueError:
        raise UsageError(f"“{level}” is not a data level: use full, initials or codes.") from None
    meeting, planned = find_meeting(workspace, meeting_id, today)
    table = workspace.table()
    profile = workspace.profile
    details = workspace.details
    state = load_state(workspace, meeting.id) if planned else None
    return BriefingData(
        table=table,
        school_name=details.name,
        urn=details.urn,
        dsl=details.dsl,
        deputy=details.deputy,
        phase=details.phase,
        community_area=details.community_area,
        wisc_confirmed=details.wisc_confirmed,
        meeting=meeting,
        meeting_planned=planned,
        profile=profile,
        level=level,
        fingerprint=workspace.keys().fingerprint,
        findings=run_checks(table, meeting.date, profile.currency_window_weeks),
        harm_types_seen=list(state.harm_types_seen) if state is not None else None,
        no_harm_types=bool(state and state.no_harm_types),
        pinned=diagram_positions or workspace.diagram_positions(),
        document_id=document_id or uuid.uuid4().hex,
        demo=details.demo,
        created=created or now(),
    )


def briefing_bytes(
    workspace: Workspace,
    *,
    level: DataLevel | str = PRINT_DEFAULT,
    meeting_id: str | None = None,
    today: date | None = None,
    document_id: str | None = None,
    diagram_positions: dict[str, tuple[float, float]] | None = None,
) -> bytes:
    """The briefing PDF, in memory (a bundle embeds it). Writes nothing, audits nothing."""
    data = briefing_data(
        workspace,
        level=level,
        meeting_id=meeting_id,
        today=today,
        document_id=document_id,
        diagram_positions=diagram_positions,
    )
    return build_briefing(data)


def export_briefing(
    workspace: Workspace,
    out_path: Path,
    *,
    level: DataLevel | str = PRINT_DEFAULT,
    meeting_id: str | None = None,
    overwrite: bool = False,
    today: date | None = None,
) -> Path:
    """Write the briefing to ``out_path`` atomically and note "briefing printed" in the
    audit log (with the meeting's record id; no names). Refuses to replace an existing
    file unless ``overwrite``, and never writes over the workspace itself."""
    from saferyp_desktop.services.exchange import check_out_path

    out = Path(out_path)
    refuse_workspace_files(out, "briefing")
    check_out_path(workspace, out, overwrite, what="briefing")
    data = briefing_data(workspace, level=level, meeting_id=meeting_id, today=today)
    pdf = build_briefing(data)
    write_atomic(out, pdf)
    workspace.repo.audit(AUDIT_EVENT, [data.meeting.id] if data.meeting_planned else [])
    return out
