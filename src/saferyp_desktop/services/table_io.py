"""The mapping table to and from spreadsheets, for a workspace."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from saferyp_desktop.domain.levels import DataLevel
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.errors import FileAlreadyExists, UsageError
from saferyp_desktop.services.files import refuse_workspace_files
from saferyp_desktop.services.workspace import Workspace
from saferyp_desktop.storage import spreadsheet


@dataclass(frozen=True)
class ImportSummary:
    records: int
    links: int
    evidence: int

    def __str__(self) -> str:
        return f"{self.records} records, {self.links} links and {self.evidence} evidence entries"


def import_spreadsheet(workspace: Workspace, path: Path) -> ImportSummary:
    """Check every row of ``path``, then add or update all of it in one transaction, or
    nothing at all."""
    existing = workspace.table()
    imported = spreadsheet.import_table(path, workspace.profile, existing)
    changes = spreadsheet.import_changes(existing, imported)
    if not changes.empty:
        workspace.import_table(MappingTable.of(changes.records, changes.links, changes.evidence))
    return ImportSummary(len(changes.records), len(changes.links), len(changes.evidence))


def export_spreadsheet(
    workspace: Workspace,
    path: Path,
    level: DataLevel,
    *,
    sheet: str | None = None,
    overwrite: bool = False,
) -> None:
    """Write the mapping table at ``level`` as ``.xlsx``, or one ``sheet`` as ``.csv``."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UsageError("Export to a file ending in .xlsx, or .csv for one sheet.")
    if suffix == ".csv" and not sheet:
        raise UsageError("A .csv file holds one sheet: name it with --sheet, e.g. --sheet Adults.")
    refuse_workspace_files(path, "spreadsheet")
    if path.exists() and not overwrite:
        raise FileAlreadyExists(f"{path.name} already exists; choose another name or replace it.")
    if suffix == ".csv":
        try:
            spec = spreadsheet.sheet_spec(sheet or "")
        except KeyError:
            raise UsageError(f"There is no sheet called “{sheet}” in the template.") from None
        spreadsheet.export_csv(workspace.table(), path, spec, level, workspace.profile)
    elif not workspace.table().records:
        # Nothing to protect yet: the blank template, which imports whatever the level.
        spreadsheet.write_template(path, workspace.profile)
    else:
        spreadsheet.export_table(
            workspace.table(), path, level, workspace.profile, demo=workspace.details.demo
        )
    workspace.repo.audit("table exported")
