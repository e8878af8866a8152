"""What changed between two revisions of a return: an RFC 6902 JSON Patch, and for
chronologies the entries added, removed and changed, by entry id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jsonpatch

from scr_returns.core import jsonio
from scr_returns.core.auth import Principal
from scr_returns.core.catalog import Catalog
from scr_returns.core.descriptors import ChronologyMapping
from scr_returns.core.errors import NotFoundError
from scr_returns.core.rulekit.entries import chronology_entries
from scr_returns.core.service.states import find_return
from scr_returns.core.storage import Store
from scr_returns.core.storage.records import RevisionRecord


def json_patch(source: Any, target: Any) -> list[dict[str, Any]]:
    """The RFC 6902 operations that turn ``source`` into ``target``."""
    ops: list[dict[str, Any]] = jsonpatch.make_patch(source, target).patch
    return ops


def _by_id(document: Any, mapping: ChronologyMapping) -> dict[str, Mapping[str, Any]]:
    """Entries keyed by id, in document order; the first of any repeated id wins."""
    found: dict[str, Mapping[str, Any]] = {}
    for entry in chronology_entries(document, mapping):
        key = entry.raw.get(mapping.id_field)
        if isinstance(key, str | int) and not isinstance(key, bool):
            found.setdefault(str(key), entry.raw)
    return found


def entry_changes(agency: str, source: Any, target: Any,
                  mapping: ChronologyMapping) -> dict[str, Any]:
    """Entries added, removed and changed between two chronology documents."""
    before, after = _by_id(source, mapping), _by_id(target, mapping)
    changed = []
    for key, entry in after.items():
        old = before.get(key)
        if old is not None and old != entry:
            fields = sorted(k for k in {*old, *entry} if old.get(k) != entry.get(k)
                            or (k in old) != (k in entry))
            changed.append({"id": key, "entry_id": f"{agency}:{key}", "fields": fields,
                            "patch": json_patch(dict(old), dict(entry))})
    return {
        "added": [{"id": k, "entry_id": f"{agency}:{k}"} for k in after if k not in before],
        "removed": [{"id": k, "entry_id": f"{agency}:{k}"} for k in before if k not in after],
        "changed": changed,
    }


def _meta(rev: RevisionRecord) -> dict[str, Any]:
    return {"revision": rev.number, "schema_version": rev.schema_version,
            "submitted_at": rev.submitted_at, "submitted_by": rev.submitted_by}


class HistoryService:
    def __init__(self, store: Store, catalog: Catalog) -> None:
        self.store = store
        self.catalog = catalog

    def diff(self, principal: Principal, ref: str, agency: str, form: str,
             from_number: int | None = None, to_number: int | None = None) -> dict[str, Any]:
        """From revision ``from_number`` (default: the one before ``to``) to ``to_number``
        (default: the latest)."""
        with self.store.read() as tx:
            ret = find_return(tx, principal, ref, agency, form)
            to_n = to_number if to_number is not None else ret.latest_revision
            from_n = from_number if from_number is not None else max(1, to_n - 1)
            source, target = tx.revision(ret.id, from_n), tx.revision(ret.id, to_n)
        if source is None or target is None:
            missing = from_n if source is None else to_n
            raise NotFoundError(f"The return has no revision {missing}.")
        before, after = jsonio.loads(source.document), jsonio.loads(target.document)
        loaded = self.catalog.form(agency, form, enabled_only=False)
        mapping = loaded.spec.chronology if loaded is not None else None
        return {"review": ref, "agency": agency, "form": form, "from": _meta(source),
                "to": _meta(target), "patch": json_patch(before, after),
                "chronology": entry_changes(agency, before, after, mapping)
                if mapping is not None else None}
