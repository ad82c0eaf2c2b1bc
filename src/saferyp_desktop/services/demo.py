"""Demo workspaces of fictional data, clearly marked as such."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from saferyp_desktop.domain.demo import make_demo
from saferyp_desktop.services.workspace import Workspace, WorkspaceDetails


def create_demo_workspace(
    path: Path,
    passphrase: str,
    *,
    seed: int = 1,
    size: str = "typical",
    today: date | None = None,
) -> Workspace:
    """A new workspace holding the fictional school for ``seed``; the same every time."""
    school = make_demo(seed=seed, size=size, today=today)
    details = WorkspaceDetails(
        role="school",
        name=school.name,
        urn=school.urn,
        phase=school.phase,
        community_area=school.community_area,
        dsl=school.dsl,
        deputy=school.deputy,
        wisc_confirmed=school.meeting_date.replace(month=1, day=1).isoformat(),
        demo=True,
    )
    workspace = Workspace.create(path, passphrase, details)
    try:
        workspace.import_table(school.table, event="demo created")
    except BaseException:
        workspace.close()
        Path(path).unlink(missing_ok=True)
        raise
    return workspace
