"""Findings as the CLI prints them: text lines, JSON, and SARIF 2.1.0."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from faultlore import __version__
from faultlore.card import build_card, render_markdown, render_plain, safe_url
from faultlore.kb.model import KnowledgeBase
from faultlore.matcher import Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {
    "error": "error",
    "warning": "warning",
    "information": "note",
    "hint": "note",
}


@attrs.frozen
class Located:
    """A finding in a named file, with the data every output format needs."""

    path: str
    finding: Finding
    severity: str
    message: str

    def as_json(self) -> dict[str, Any]:
        """1-based lines and columns; ``end_column`` is one past the last character."""
        f = self.finding
        return {
            "path": self.path,
            "line": f.line + 1,
            "column": f.column + 1,
            "end_line": f.end_line + 1,
            "end_column": f.end_column + 1,
            "id": f.signature_id,
            "severity": self.severity,
            "message": self.message,
            "text": f.text,
            "alternatives": list(f.alternatives),
        }


def to_json(items: Sequence[Located]) -> str:
    """The findings as a JSON array (see `Located.as_json`)."""
    return json.dumps([item.as_json() for item in items], indent=2, ensure_ascii=False)


def to_sarif(
    items: Sequence[Located], kb: KnowledgeBase, base: Path | None = None
) -> str:
    """A SARIF 2.1.0 log that GitHub code scanning accepts."""
    base = (base or Path.cwd()).resolve()
    rule_ids = sorted({item.finding.signature_id for item in items})
    rules = []
    for rule_id in rule_ids:
        signature = kb.get(rule_id)
        if signature is None:
            continue
        card = build_card(signature)
        rule: dict[str, Any] = {
            "id": rule_id,
            "name": rule_id.replace("/", "_").replace("-", "_"),
            "shortDescription": {"text": signature.title},
            "fullDescription": {
                "text": signature.record.get("root_cause") or signature.title
            },
            "help": {"text": render_plain(card), "markdown": render_markdown(card)},
            "defaultConfiguration": {"level": _SARIF_LEVEL[signature.severity]},
            "properties": {
                "tags": [tag for tag in (signature.domain, signature.category) if tag],
                "precision": "high" if signature.confidence >= 0.8 else "medium",
            },
        }
        if url := safe_url(signature.doc_url):
            rule["helpUri"] = url
        rules.append(rule)
    index = {rule["id"]: position for position, rule in enumerate(rules)}

    results = []
    for item in items:
        f = item.finding
        uri = _relative_uri(item.path, base)
        results.append(
            {
                "ruleId": f.signature_id,
                "ruleIndex": index.get(f.signature_id, 0),
                "level": _SARIF_LEVEL[item.severity],
                "message": {"text": item.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {
                                "uri": uri,
                                **(
                                    {"uriBaseId": "%SRCROOT%"}
                                    if not uri.startswith("file:")
                                    else {}
                                ),
                            },
                            "region": {
                                "startLine": f.line + 1,
                                "startColumn": f.column + 1,
                                "endLine": f.end_line + 1,
                                "endColumn": f.end_column + 1,
                                "snippet": {"text": f.text},
                            },
                        }
                    }
                ],
                "partialFingerprints": {
                    "faultlore/v1": f"{f.signature_id}:{f.text.strip()[:200]}"
                },
            }
        )
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "faultlore",
                        "version": __version__,
                        "informationUri": "https://github.com/faultlore/faultlore",
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": base.as_uri() + "/"}},
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def _relative_uri(path: str, base: Path) -> str:
    if path == "-":
        return "stdin"
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(base).as_posix()
    except ValueError:
        return resolved.as_uri()
