"""Parse module data files (YAML, CSV) into entries; `data_files` loads them.

Parsing knows nothing about the registry: it checks the shape of a file and turns it
into `DataEntry` objects (model code, local external id, raw values, noupdate). Field
names, types and refs are checked by the loader, which knows the models. The formats
themselves are described in `modelry.boot.data_files`.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import yaml

from modelry.core.naming import is_model_code

EXTERNAL_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-]*$")
YAML_KEYS = frozenset({"model", "id", "noupdate", "values"})
CSV_OPTIONS = frozenset({"model", "noupdate"})
REF_SUFFIX = ":ref"
TRUE, FALSE = frozenset({"true", "yes", "1"}), frozenset({"false", "no", "0"})


class MalformedData(ValueError):
    """A data file's shape is wrong; the loader adds the module and file to the message."""

    def __init__(self, problem: str, *, line: int | None = None, entry: str | None = None,
                 field: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line
        self.entry = entry
        self.field = field


@dataclass(frozen=True)
class Ref:
    """A reference to a loaded record by external id: `local_id` or `module.local_id`."""

    external_id: str


@dataclass
class DataEntry:
    """One record of a data file, before its values are checked against the model."""

    model: str
    external_id: str          # local to the module that loads the file
    values: dict[str, Any] = field(default_factory=dict)
    noupdate: bool = False
    line: int | None = None
    source: str = "yaml"      # "csv" cells are text: the loader parses Json cells


def parse_data_file(name: str, text: str) -> list[DataEntry]:
    """The entries of the data file `name` (its suffix picks the format)."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return parse_yaml(text)
    if suffix == ".csv":
        return parse_csv(text, default_model=PurePosixPath(name).name[:-len(suffix)])
    raise MalformedData(f"unsupported data file type {suffix or '(none)'!r}: "
                        "use .yaml, .yml or .csv")


def as_refs(value: Any) -> list[Ref] | None:
    """`{ref: id}`, a Ref, or a list of them as a list of Refs; None when `value` is no ref."""
    if isinstance(value, Ref):
        return [value]
    if _is_ref_mapping(value):
        return [Ref(value["ref"])]
    if isinstance(value, list) and value and all(
            isinstance(item, Ref) or _is_ref_mapping(item) for item in value):
        return [item if isinstance(item, Ref) else Ref(item["ref"]) for item in value]
    return None


def looks_like_ref(value: Any) -> bool:
    """True for anything written as a ref, well-formed or not (`{ref: ...}`, a Ref)."""
    if isinstance(value, Ref):
        return True
    if isinstance(value, dict):
        return "ref" in value
    return isinstance(value, list) and any(looks_like_ref(item) for item in value)


def _is_ref_mapping(value: Any) -> bool:
    return (isinstance(value, dict) and set(value) == {"ref"}
            and isinstance(value["ref"], str) and bool(value["ref"].strip()))


def _check_id(value: Any, line: int | None) -> str:
    if not isinstance(value, str) or not EXTERNAL_ID.match(value):
        raise MalformedData(
            f"id {value!r} must be text of letters, digits, '_' and '-' (no module prefix: "
            "external ids are scoped by the module that loads the file)", line=line,
            entry=value if isinstance(value, str) else None)
    return value


def _check_model(value: Any, line: int | None, entry: str | None) -> str:
    if not isinstance(value, str) or not is_model_code(value):
        raise MalformedData(f"model {value!r} is not a model code like 'module.ModelName'",
                            line=line, entry=entry)
    return value


# ── YAML ────────────────────────────────────────────────────────────────────
def parse_yaml(text: str) -> list[DataEntry]:
    """Entries of a YAML data file: a list of `{model, id, noupdate, values}` mappings."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        document = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        words = [getattr(error, "context", None), getattr(error, "problem", None)]
        detail = ": ".join(w for w in words if w) or str(error).replace("\n", " ")
        raise MalformedData(f"not valid YAML: {detail}",
                            line=mark.line + 1 if mark else None) from None
    finally:
        loader.dispose()
    if document is None:
        return []
    if not isinstance(document, list):
        raise MalformedData("a YAML data file must be a list of entries "
                            "(`- model: ..., id: ..., values: {...}`)", line=1)
    lines = [item.start_mark.line + 1 for item in node.value]
    return [_yaml_entry(item, line) for item, line in zip(document, lines)]


def _yaml_entry(item: Any, line: int) -> DataEntry:
    if not isinstance(item, dict):
        raise MalformedData("an entry must be a mapping with model, id and values", line=line)
    entry_id = _check_id(item.get("id"), line)
    unknown = sorted(str(key) for key in set(item) - YAML_KEYS)
    if unknown:
        raise MalformedData(f"unknown entry key(s) {', '.join(unknown)} (expected "
                            f"{', '.join(sorted(YAML_KEYS))})", line=line, entry=entry_id)
    model = _check_model(item.get("model"), line, entry_id)
    noupdate = item.get("noupdate", False)
    if not isinstance(noupdate, bool):
        raise MalformedData(f"noupdate must be true or false, got {noupdate!r}", line=line,
                            entry=entry_id)
    values = item.get("values") or {}
    if not isinstance(values, dict) or not all(isinstance(k, str) for k in values):
        raise MalformedData("values must be a mapping of field names to values", line=line,
                            entry=entry_id)
    return DataEntry(model, entry_id, dict(values), noupdate, line, "yaml")


# ── CSV ─────────────────────────────────────────────────────────────────────
def parse_csv(text: str, default_model: str | None = None) -> list[DataEntry]:
    """Entries of a CSV data file: `# key: value` comments, a header row, one row per record."""
    lines = text.splitlines(keepends=True)
    options, start = _csv_options(lines)
    model = options.get("model") or default_model
    if not model or not is_model_code(model):
        raise MalformedData("cannot tell the model: name the file '<model code>.csv' "
                            "(e.g. 'demo.PetTag.csv') or start it with '# model: demo.PetTag'",
                            line=1)
    noupdate = _csv_flag(options.get("noupdate", "false"))
    rows = csv.reader(io.StringIO("".join(lines[start:])))
    header: list[str] | None = None
    entries: list[DataEntry] = []
    seen_line = start
    for row in rows:
        line = start + rows.line_num
        row_start, seen_line = seen_line + 1, line
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = _csv_header(row, row_start)
            continue
        entries.append(_csv_entry(model, noupdate, header, row, row_start))
    if header is None:
        raise MalformedData("the CSV file has no header row (id, then field names)", line=1)
    return entries


def _csv_options(lines: list[str]) -> tuple[dict[str, str], int]:
    options: dict[str, str] = {}
    start = 0
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if stripped and not stripped.startswith("#"):
            break
        start = number
        key, colon, value = stripped.lstrip("#").partition(":")
        key = key.strip().lower()
        if not colon or not key:
            continue  # a plain comment
        if key not in CSV_OPTIONS:
            raise MalformedData(f"unknown header option {key!r} (expected "
                                f"{', '.join(sorted(CSV_OPTIONS))})", line=number)
        options[key] = value.strip()
    if "model" in options and not is_model_code(options["model"]):
        raise MalformedData(f"model {options['model']!r} is not a model code like "
                            "'module.ModelName'", line=1)
    return options, start


def _csv_flag(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in TRUE or lowered in FALSE:
        return lowered in TRUE
    raise MalformedData(f"noupdate must be true or false, got {text!r}", line=1)


def _csv_header(row: list[str], line: int) -> list[str]:
    header = [cell.strip() for cell in row]
    if header[0] != "id":
        raise MalformedData(f"the first column must be 'id' (the external id), got "
                            f"{header[0]!r}", line=line)
    fields_seen: set[str] = set()
    for column in header[1:]:
        name = column.removesuffix(REF_SUFFIX)
        if not name:
            raise MalformedData("a column has no name", line=line)
        if name in fields_seen or name == "id":
            raise MalformedData(f"field {name!r} has more than one column", line=line,
                                field=name)
        fields_seen.add(name)
    return header


def _csv_entry(model: str, noupdate: bool, header: list[str], row: list[str],
               line: int) -> DataEntry:
    if len(row) != len(header):
        raise MalformedData(f"the row has {len(row)} cells, the header {len(header)}",
                            line=line, entry=row[0].strip() or None)
    entry_id = _check_id(row[0].strip(), line)
    values: dict[str, Any] = {}
    for column, cell in zip(header[1:], row[1:]):
        if column.endswith(REF_SUFFIX):
            ids = [part for part in re.split(r"[\s,]+", cell) if part]
            values[column[:-len(REF_SUFFIX)]] = [Ref(i) for i in ids] if ids else None
        else:
            values[column] = cell if cell != "" else None
    return DataEntry(model, entry_id, values, noupdate, line, "csv")
