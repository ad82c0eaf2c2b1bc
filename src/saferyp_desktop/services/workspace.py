"""Creating, unlocking and looking after a workspace: the use cases the GUI and the CLI share."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from saferyp_desktop.crypto.keys import KeyCard, WorkspaceKeys
from saferyp_desktop.domain.checks import Finding, run_checks
from saferyp_desktop.domain.mapping import MappingTable
from saferyp_desktop.domain.profile import DEFAULT_PROFILE, Profile, load_profile
from saferyp_desktop.domain.records import Evidence, Kind, Link, Meeting, Record, now
from saferyp_desktop.errors import RecordInvalid, UsageError
from saferyp_desktop.storage.database import Database
from saferyp_desktop.storage.repository import Repository

ROLES = ("school", "chair")
MIN_PASSPHRASE_LENGTH = 10
# Key cards and bundle manifests carry the name; they refuse longer ones.
MAX_NAME_LENGTH = 200


@dataclass
class WorkspaceDetails:
    """Who a workspace belongs to. Kept inside the encrypted workspace only."""

    role: str = "school"
    name: str = ""
    urn: str = ""
    phase: str = ""
    community_area: str = ""
    dsl: str = ""
    deputy: str = ""
    organisation: str = ""
    wisc_confirmed: str = ""  # ISO date the school confirmed WISC membership
    profile: str = DEFAULT_PROFILE
    demo: bool = False

    def validate(self) -> None:
        if self.role not in ROLES:
            raise UsageError(f"The role must be “school” or “chair”, not “{self.role}”.")
        if not self.name.strip():
            raise UsageError("A workspace needs a name: the school's name, or the chair's.")
        if len(self.name) > MAX_NAME_LENGTH or len(self.organisation) > MAX_NAME_LENGTH:
            raise UsageError(f"A name can be at most {MAX_NAME_LENGTH} characters.")
        if self.role == "school" and not (len(self.urn) == 6 and self.urn.isdigit()):
            raise UsageError("A school's URN is six digits.")

    def to_meta(self) -> dict[str, str]:
        return {
            k: ("1" if v is True else "0" if v is False else str(v))
            for k, v in asdict(self).items()
        }

    @classmethod
    def from_meta(cls, meta: dict[str, str]) -> WorkspaceDetails:
        known = {k: v for k, v in meta.items() if k in cls.__dataclass_fields__}
        if "demo" in known:
            known["demo"] = known["demo"] == "1"  # type: ignore[assignment]
        return cls(**known)  # type: ignore[arg-type]


def passphrase_problem(passphrase: str) -> str | None:
    """Why a new passphrase will not do, or None."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        return f"A passphrase needs at least {MIN_PASSPHRASE_LENGTH} characters."
    if passphrase != passphrase.strip():
        return "A passphrase cannot start or end with a space."
    return None


@dataclass
class CheckReport:
    integrity_problems: list[str]
    findings: list[Finding]
    meeting_date: date
    counts: dict[Kind, int] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        return not self.integrity_problems


class Workspace:
    """One open, unlocked workspace. Close it to release the file."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.repo = Repository(db)
        self.details = WorkspaceDetails.from_meta(self.repo.meta())
        self.profile: Profile = load_profile(self.details.profile)
        self._table: MappingTable | None = None

    # -- life cycle ------------------------------------------------------
    @classmethod
    def create(cls, path: Path, passphrase: str, details: WorkspaceDetails) -> Workspace:
        """A new workspace with its own keys. Refuses to write over any existing file."""
        details.validate()
        load_profile(details.profile)
        problem = passphrase_problem(passphrase)
        if problem:
            raise UsageError(problem)
        keys = WorkspaceKeys.generate()
        db = Database.create(Path(path), passphrase)
        try:
            repo = Repository(db)
            with db.transaction():
                repo.set_meta({**details.to_meta(), "created": now().isoformat()})
                repo.set_secret("age_identity", keys.age_identity.encode("ascii"))
                repo.set_secret("signing_seed", keys.signing_seed)
                repo.audit("created")
        except BaseException:
            db.close()
            Path(path).unlink(missing_ok=True)
            raise
        return cls(db)

    @classmethod
    def open(cls, path: Path, passphrase: str) -> Workspace:
        db = Database.open(Path(path), passphrase)
        try:
            return cls(db)
        except BaseException:
            db.close()
            raise

    def record_opened(self) -> None:
        """Note in the audit log that a person opened the workspace (the desktop program
        does; a command that changes nothing leaves the file exactly as it was)."""
        self.repo.audit("opened")

    def close(self) -> None:
        self._table = None
        self.db.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def path(self) -> Path:
        return Path(self.db.path)

    # -- the mapping table -----------------------------------------------
    def table(self) -> MappingTable:
        """The mapping table, loaded once and kept in step with every save."""
        if self._table is None:
            self._table = self.repo.load()
        return self._table

    def save(self, record: Record) -> Record:
        self._check_categories(record)
        record.updated = max(now(), record.created)
        self.repo.save_record(record)
        self.table().put(record)
        return record

    def save_link(self, link: Link) -> Link:
        table = self.table()
        if table.get(link.a_id) is None or table.get(link.b_id) is None:
            raise RecordInvalid("A link must join two records of this workspace.")
        link.updated = max(now(), link.created)
        self.repo.save_link(link)
        table.put_link(link)
        return link

    def save_evidence(self, item: Evidence) -> Evidence:
        table = self.table()
        if table.get(item.subject_id) is None and item.subject_id not in table.links:
            raise RecordInvalid("Evidence must be about a record or a link of this workspace.")
        if self.profile.resolve("sources", item.source) is None:
            raise RecordInvalid(f"“{item.source}” is not a source in the local profile.")
        self.repo.save_evidence(item)
        table.put_evidence(item)
        return item

    def retire(self, item_id: str) -> None:
        self.repo.retire(item_id)
        self._table = None

    def import_table(self, incoming: MappingTable, event: str = "table imported") -> None:
        """Add a whole mapping table (from a spreadsheet) in one transaction."""
        for record in incoming.records.values():
            self._check_categories(record)
        self.repo.save_table(incoming, event)
        self._table = None

    def _check_categories(self, record: Record) -> None:
        for key in getattr(record, "harm_categories", []):
            if self.profile.resolve("harm_categories", key) != key:
                raise RecordInvalid(f"“{key}” is not a harm category in the local profile.")

    # -- meetings and checks -----------------------------------------------
    def next_meeting(self, today: date | None = None) -> Meeting | None:
        today = today or date.today()
        upcoming = [
            m
            for m in self.table().of_kind(Kind.MEETING)
            if isinstance(m, Meeting) and m.date >= today
        ]
        return min(upcoming, key=lambda m: m.date, default=None)

    def check_integrity(self) -> list[str]:
        """Problems found by SQLCipher's and SQLite's integrity checks (empty: intact).
        Safe to call from a worker thread."""
        return self.db.check()

    def check(self, today: date | None = None) -> CheckReport:
        """Integrity of the file, and the findings of the four checks for the next meeting."""
        problems = self.db.check()
        meeting = self.next_meeting(today)
        meeting_date = meeting.date if meeting else (today or date.today())
        table = self.table()
        findings = run_checks(table, meeting_date, self.profile.currency_window_weeks)
        return CheckReport(problems, findings, meeting_date, table.counts())

    # -- the spider diagram's remembered positions ---------------------------
    def diagram_positions(self) -> dict[str, tuple[float, float]]:
        """Positions the DSL dragged nodes to, by record id."""
        raw = self.repo.meta().get("diagram_positions")
        if not raw:
            return {}
        return {k: (float(x), float(y)) for k, (x, y) in json.loads(raw).items()}

    def save_diagram_positions(self, positions: dict[str, tuple[float, float]]) -> None:
        self.repo.set_meta({"diagram_positions": json.dumps(positions)})

    # -- keys --------------------------------------------------------------
    def keys(self) -> WorkspaceKeys:
        identity = self.repo.secret("age_identity")
        seed = self.repo.secret("signing_seed")
        if identity is None or seed is None:
            raise RecordInvalid("This workspace has lost its keys; restore it from a backup.")
        return WorkspaceKeys(age_identity=identity.decode("ascii"), signing_seed=seed)

    def key_card(self) -> KeyCard:
        keys = self.keys()
        return KeyCard(
            role=self.details.role,
            name=self.details.name,
            urn=self.details.urn if self.details.role == "school" else "",
            organisation=self.details.organisation,
            age_recipient=keys.age_recipient,
            verify_key=keys.verify_key_bytes,
        )

    def change_passphrase(self, new_passphrase: str) -> None:
        problem = passphrase_problem(new_passphrase)
        if problem:
            raise UsageError(problem)
        self.db.rekey(new_passphrase)
        self.repo.audit("passphrase changed")
