"""Import of the nested "ErrorCanon" layout used by the deadends.dev corpus.

Those records nest the pattern under ``error`` and the verdict under ``verdict``;
`from_canon` flattens one into our record so the rest of the engine sees one format.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def is_canon(record: Mapping[str, Any]) -> bool:
    """Whether *record* is in the nested ErrorCanon layout."""
    return isinstance(record.get("error"), Mapping) and "verdict" in record


def from_canon(canon: Mapping[str, Any]) -> dict[str, Any]:
    """Flatten an ErrorCanon record into a faultlore record."""
    error = canon.get("error") or {}
    verdict = canon.get("verdict") or {}
    environment = canon.get("environment") or {}
    metadata = canon.get("metadata") or {}
    runtime = environment.get("runtime") or {}

    versions = []
    if runtime.get("name"):
        label = " ".join(
            filter(None, [runtime.get("name"), runtime.get("version_range")])
        )
        versions.append(
            {
                "version": label,
                "introduced": None,
                "deprecated": None,
                "removed": None,
                "behavior_change": None,
                "status": "active",
            }
        )
    os_name = environment.get("os")

    return {
        # A missing id stays None, for the schema check to report.
        "id": canon.get("id"),
        "signature": error.get("signature") or canon.get("id"),
        "regex": error.get("regex") or "",
        "domain": error.get("domain"),
        "category": error.get("category"),
        "root_cause": verdict.get("summary"),
        "versions": versions,
        "os_specific": {os_name: "applies"} if os_name and os_name != "any" else {},
        "dead_ends": [
            {
                "action": item.get("action") or "",
                "why_fails": item.get("why_fails"),
                "fail_rate": item.get("fail_rate"),
                "condition": item.get("condition") or "",
                "sources": list(item.get("sources") or []),
            }
            for item in canon.get("dead_ends") or []
        ],
        "workarounds": [
            {
                "action": item.get("action") or "",
                "success_rate": item.get("success_rate"),
                "how": item.get("how") or item.get("action") or "",
                "condition": item.get("condition") or "",
                "sources": list(item.get("sources") or []),
            }
            for item in canon.get("workarounds") or []
        ],
        "transition_graph": {
            relation: [
                {
                    "error_id": link.get("error_id"),
                    "probability": link.get("probability"),
                    "condition": link.get("condition") or link.get("distinction"),
                }
                for link in (canon.get("transition_graph") or {}).get(relation) or []
                if isinstance(link, Mapping) and link.get("error_id")
            ]
            for relation in ("leads_to", "preceded_by", "frequently_confused_with")
        },
        "official_doc_url": canon.get("url"),
        "verification_tier": metadata.get("review_status"),
        "confidence": verdict.get("confidence"),
        "fix_success_rate": verdict.get("fix_success_rate"),
        "resolvable": verdict.get("resolvable"),
        "first_seen": error.get("first_seen"),
        "last_confirmed": error.get("last_confirmed"),
        "last_updated": verdict.get("last_updated"),
        "evidence_count": metadata.get("evidence_count"),
        "tags": [],
        "locale": "en",
        "aliases": [],
        # Canons describe errors as logs and pasted output show them.
        "files": ["log"],
    }
