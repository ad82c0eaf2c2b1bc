"""The JSON Schemas of a bundle's manifest and mapping table, and strict JSON reading.

The schemas are ``docs/schemas/*.schema.json``; the program reads its copies in
``resources/schemas/`` (a test keeps the two the same). A problem is reported by
where it is and which rule it breaks, never by the value: the mapping holds
children's names, and error messages must not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any

import fastjsonschema

from saferyp_desktop.resources import resources_dir

MANIFEST_SCHEMA = "manifest"
MAPPING_SCHEMA = "mapping"

_RULES = {
    "additionalProperties": "has a field the format does not have",
    "anyOf": "is not in any allowed form",
    "const": "is not the expected value",
    "enum": "is not one of the allowed values",
    "maxItems": "has too many items",
    "maxLength": "is too long",
    "maximum": "is too large",
    "minItems": "has too few items",
    "minLength": "is too short or empty",
    "minimum": "is too small",
    "pattern": "is not written in the expected form",
    "required": "is missing a field",
    "type": "is of the wrong type",
    "uniqueItems": "lists something twice",
}
_SAFE_STEP = re.compile(r"[a-z_][a-z0-9_.]{0,40}")
_CODE = re.compile(r"(YP|AD|PG|LC|ST|KC|AC|MT)-[0-9]{2,6}")


class JsonProblem(ValueError):
    """The bytes are not the strict JSON a bundle member must be."""


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise JsonProblem("an object has the same field twice")
    return result


def _no_constants(name: str) -> Any:
    raise JsonProblem("it holds NaN or Infinity, which JSON does not have")


def load_json(data: bytes) -> Any:
    """Strict JSON: UTF-8, no duplicate keys, no NaN or Infinity. Raises JsonProblem."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise JsonProblem("it is not UTF-8 text") from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except JsonProblem:
        raise
    except RecursionError:
        raise JsonProblem("it is nested too deeply") from None
    except ValueError:  # json.JSONDecodeError, and over-long integers
        raise JsonProblem("it is not valid JSON") from None


def dump_json(value: Any, *, indent: int | None = None) -> bytes:
    """JSON as a bundle writes it: UTF-8, keys sorted, no NaN."""
    separators = (",", ": ") if indent else (",", ":")
    return json.dumps(
        value,
        ensure_ascii=False,
        sort_keys=True,
        indent=indent,
        separators=separators,
        allow_nan=False,
    ).encode("utf-8")


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    # Our schemas are not recursive, so every "$ref" can be replaced by its target: no
    # reference is left to resolve when the schema is compiled or used.
    if isinstance(node, dict):
        if "$ref" in node:
            target = _inline_refs(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
            rest = {k: _inline_refs(v, defs) for k, v in node.items() if k != "$ref"}
            return {**target, **rest}
        return {k: _inline_refs(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline_refs(v, defs) for v in node]
    return node


@cache
def schema(name: str) -> dict[str, Any]:
    """The schema as published (``resources/schemas/NAME.schema.json``)."""
    path = resources_dir() / "schemas" / f"{name}.schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


Path = tuple[str, ...]


def _split_lists(node: dict[str, Any], path: Path = ()) -> dict[Path, dict[str, Any]]:
    """Take the item schema out of every list of objects (records, links, evidence),
    leaving ``{}`` in its place; return them by the path of fields to the list.

    Each part is compiled on its own: one schema with every record kind inlined is half
    a megabyte of Python, and compiling it holds the interpreter for a tenth of a second
    at once (the window would stop answering); the parts take a hundredth each."""
    parts: dict[Path, dict[str, Any]] = {}
    for field_name, sub in node.get("properties", {}).items():
        if not isinstance(sub, dict):
            continue
        items = sub.get("items")
        if sub.get("type") == "array" and isinstance(items, dict) and "properties" in items:
            parts[(*path, field_name)] = items
            sub["items"] = {}
        elif sub.get("type") == "object":
            parts.update(_split_lists(sub, (*path, field_name)))
    return parts


@cache
def _validators(name: str) -> tuple[Callable[[Any], Any], dict[Path, Callable[[Any], Any]]]:
    # Compiled to Python once, on first use: several times faster than jsonschema on a
    # large mapping. No defaults are filled in (the instance is never changed). The
    # published schemas are checked against the 2020-12 meta-schema by the tests.
    published = schema(name)
    whole = _inline_refs(published, published.get("$defs", {}))
    parts = _split_lists(whole)
    items = {
        path: fastjsonschema.compile(part, use_default=False) for path, part in parts.items()
    }
    return fastjsonschema.compile(whole, use_default=False), items


def schema_problem(name: str, instance: Any) -> str | None:
    """Where ``instance`` first breaks schema ``name`` and which rule, in words; or None."""
    check_whole, check_item = _validators(name)
    try:
        check_whole(instance)
    except fastjsonschema.JsonSchemaValueException as error:
        # Only the place and the rule are used: the error's message and value may hold
        # the content, which a problem sentence must never show.
        return _describe(error.path[1:], str(error.rule), instance)
    for path, check in check_item.items():
        items: Any = instance
        for step in path:
            items = items.get(step) if isinstance(items, dict) else None
        for index, item in enumerate(items or ()):
            try:
                check(item)
            except fastjsonschema.JsonSchemaValueException as error:
                where = [*path, str(index), *error.path[1:]]
                return _describe(where, str(error.rule), instance)
    return None



def _describe(raw_path: list[str], rule_name: str, instance: Any) -> str:
    # fastjsonschema gives the place as "data.records.young_person[0].age", split into
    # strings; its steps are the schema's own property names and array indexes.
    path: list[str | int] = [int(step) if step.isdigit() else step for step in raw_path]
    steps: list[str] = []
    for step in path:
        if isinstance(step, int):
            steps.append(str(step))
        elif _SAFE_STEP.fullmatch(step):
            steps.append(step)
        else:
            steps.append("?")
    where = "/".join(steps) or "the top level"
    rule = _RULES.get(rule_name, f"breaks the “{rule_name}” rule")
    code = _record_code(instance, path)
    return f"{where}{f' ({code})' if code else ''} {rule}"


def _record_code(instance: Any, path: list[Any]) -> str:
    """The code of the record the problem is in, if it has a well-formed one."""
    if len(path) < 3 or path[0] != "records":
        return ""
    try:
        record = instance["records"][path[1]][path[2]]
    except (KeyError, IndexError, TypeError):
        return ""
    code = record.get("code") if isinstance(record, dict) else None
    return code if isinstance(code, str) and _CODE.fullmatch(code) else ""
