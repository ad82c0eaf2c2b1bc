"""The local profile: harm categories, agencies, sources, actions, currency, marking.

A council adapts the program by adding a profile file under ``resources/profiles``,
not by changing code (DESIGN.md §3).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from saferyp_desktop.errors import ProfileInvalid
from saferyp_desktop.resources import resources_dir

DEFAULT_PROFILE = "wiltshire"


@dataclass(frozen=True)
class Choice:
    key: str
    label: str


@dataclass(frozen=True)
class CatalogueAction:
    key: str
    label: str
    sub_label: str = ""
    sub_choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Charter:
    name: str
    short_name: str
    url: str
    statement: str


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    currency_window_weeks: int
    marking: str
    charter: Charter
    harm_categories: tuple[Choice, ...]
    agencies: tuple[Choice, ...]
    sources: tuple[Choice, ...]
    actions: tuple[CatalogueAction, ...]
    _lookup: dict[str, dict[str, str]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("harm_categories", "agencies", "sources", "actions"):
            self._lookup[name] = {c.key: c.label for c in getattr(self, name)}

    def label(self, group: str, key: str) -> str:
        """The label of ``key`` in ``group`` (e.g. ``"harm_categories"``), or the key itself."""
        return self._lookup[group].get(key, key)

    def resolve(self, group: str, text: str) -> str | None:
        """The key for ``text``, given as a key or as its label (any case); None if unknown."""
        table = self._lookup[group]
        if text in table:
            return text
        folded = text.strip().casefold()
        for key, label in table.items():
            if label.casefold() == folded or key.casefold() == folded:
                return key
        return None

    def action(self, key: str) -> CatalogueAction | None:
        return next((a for a in self.actions if a.key == key), None)


def _choices(data: dict, name: str, path: Path) -> tuple[Choice, ...]:
    items = data.get(name)
    if not isinstance(items, list) or not items:
        raise ProfileInvalid(f"The profile {path.name} has no “{name}” list.")
    result = []
    for item in items:
        if not isinstance(item, dict) or not item.get("key") or not item.get("label"):
            raise ProfileInvalid(
                f"The profile {path.name} has an entry in “{name}” without a key and a label."
            )
        result.append(Choice(str(item["key"]), str(item["label"])))
    if len({c.key for c in result}) != len(result):
        raise ProfileInvalid(f"The profile {path.name} uses a key twice in “{name}”.")
    return tuple(result)


def load_profile_file(path: Path) -> Profile:
    """Read and check one profile file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ProfileInvalid(f"The profile {path.name} cannot be read ({error}).") from None
    head = data.get("profile", {})
    charter = data.get("charter", {})
    try:
        weeks = int(head["currency_window_weeks"])
        actions = tuple(
            CatalogueAction(
                key=str(a["key"]),
                label=str(a["label"]),
                sub_label=str(a.get("sub_label", "")),
                sub_choices=tuple(str(s) for s in a.get("sub_choices", [])),
            )
            for a in data["actions"]
        )
        profile = Profile(
            id=str(head["id"]),
            name=str(head["name"]),
            currency_window_weeks=weeks,
            marking=str(head["marking"]),
            charter=Charter(
                name=str(charter["name"]),
                short_name=str(charter["short_name"]),
                url=str(charter.get("url", "")),
                statement=" ".join(str(charter["statement"]).split()),
            ),
            harm_categories=_choices(data, "harm_categories", path),
            agencies=_choices(data, "agencies", path),
            sources=_choices(data, "sources", path),
            actions=actions,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ProfileInvalid(
            f"The profile {path.name} is missing or has a bad value for {error}."
        ) from None
    if weeks < 1:
        raise ProfileInvalid(f"The profile {path.name} has a currency window shorter than a week.")
    if not actions:
        raise ProfileInvalid(f"The profile {path.name} has no actions.")
    return profile


@cache
def load_profile(profile_id: str = DEFAULT_PROFILE) -> Profile:
    """The named profile from ``resources/profiles``."""
    path = resources_dir() / "profiles" / f"{profile_id}.toml"
    if not path.is_file():
        raise ProfileInvalid(f"There is no local profile called “{profile_id}”.")
    return load_profile_file(path)
