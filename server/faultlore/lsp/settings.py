"""The language server's settings: attrs model, cattrs converter, camelCase wire.

Clients send the settings as ``initializationOptions`` and answer
``workspace/configuration`` for the section ``faultlore``; both use the nested
camelCase shape of `default_settings`. A bad value is reported once and replaced by
its default; everything else still applies.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn, override

logger = logging.getLogger(__name__)

SECTION = "faultlore"
"""The configuration section clients keep the settings under."""

SEVERITY_VALUES = ("error", "warning", "information", "hint", "off")
LOCALES = ("auto", "en", "zh")
DIAGNOSTIC_MODES = ("auto", "push", "pull")


def _severity_map(_instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    for key, severity in value.items():
        if severity not in SEVERITY_VALUES:
            raise ValueError(
                f"{key!r} maps to {severity!r}; use one of {', '.join(SEVERITY_VALUES)}"
            )


def _globs(_instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if any(not pattern for pattern in value):
        raise ValueError("an empty glob matches nothing")


def _paths(_instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    # An empty path would resolve to the workspace root and load every JSON file in it.
    if any(not path.strip() for path in value):
        raise ValueError("an empty path names no knowledge-base file")


@attrs.define
class KnowledgeBaseSettings:
    """Where signatures come from."""

    paths: list[str] = attrs.field(factory=list, validator=_paths)
    """Extra knowledge-base files or folders, loaded after the bundled one, the user
    folder and the workspace's `.faultlore/` folder. Relative paths are resolved
    against the first workspace folder."""

    bundled: bool = True
    """Load the knowledge base shipped with faultlore."""

    user: bool = True
    """Load the user folder (`~/.config/faultlore/kb/`)."""


@attrs.define
class Settings:
    """Everything a client can configure."""

    knowledge_base: KnowledgeBaseSettings = attrs.field(factory=KnowledgeBaseSettings)

    include: list[str] = attrs.field(factory=list, validator=_globs)
    """Globs of extra files to scan as logs (matched against the path and the file
    name), for logs whose names faultlore does not recognise."""

    exclude: list[str] = attrs.field(factory=list, validator=_globs)
    """Globs of files never to scan, even when their kind is known."""

    severity: dict[str, str] = attrs.field(factory=dict, validator=_severity_map)
    """Severity overrides keyed by signature id, category or domain (the most specific
    wins): `error`, `warning`, `information`, `hint`, or `off` to hide."""

    max_diagnostics_per_document: int = attrs.field(
        default=500, validator=attrs.validators.ge(1)
    )
    """At most this many diagnostics per document; every finding stays in the
    outline (document symbols)."""

    fold_identical: bool = True
    """Fold findings of one signature with the same text (numbers aside) into one
    diagnostic with a count."""

    debounce_ms: int = attrs.field(default=300, validator=attrs.validators.ge(0))
    """Milliseconds to wait after an edit before rescanning."""

    locale: str = attrs.field(default="auto", validator=attrs.validators.in_(LOCALES))
    """Language of hover cards: `auto` follows the client's locale, `en`, or `zh`
    (used where a record has Chinese fields)."""

    trust_workspace: bool = True
    """Load signatures from the workspace's `.faultlore/` folder. Editors set this to
    false in untrusted workspaces."""

    diagnostic_mode: str = attrs.field(
        default="auto", validator=attrs.validators.in_(DIAGNOSTIC_MODES)
    )
    """`auto`: pull diagnostics when the client supports pulling and refreshing,
    else push; `pull`: pull whenever the client can; `push`: always push. Read at
    start-up only (from `initializationOptions`)."""


def camel(name: str) -> str:
    """``max_diagnostics_per_document`` -> ``maxDiagnosticsPerDocument``."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter()
    for cls in (KnowledgeBaseSettings, Settings):
        renames = {
            field.name: override(rename=camel(field.name))
            for field in attrs.fields(cls)
        }
        converter.register_unstructure_hook(
            cls, make_dict_unstructure_fn(cls, converter, **renames)
        )
    return converter


converter = _make_converter()
"""The one converter between the wire (camelCase dicts) and the settings model."""


def default_settings(*, flat: bool = False) -> dict[str, Any]:
    """The default settings in camelCase, nested as on the wire.

    With *flat*, keys are dotted (``knowledgeBase.paths``), as in VS Code's
    ``package.json`` without the ``faultlore.`` prefix.
    """
    nested = converter.unstructure(Settings())
    return _flatten(nested) if flat else nested


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and key != "severity":
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def parse_settings(raw: Any) -> tuple[Settings, list[str]]:
    """Structure *raw* (camelCase) into `Settings`; bad values fall back to defaults.

    Returns the settings and one message per rejected value.
    """
    problems: list[str] = []
    settings = _structure(Settings, raw if isinstance(raw, dict) else {}, "", problems)
    return settings, problems


def _structure(cls: type, raw: dict[str, Any], prefix: str, problems: list[str]) -> Any:
    attrs.resolve_types(cls)
    values: dict[str, Any] = {}
    for field in attrs.fields(cls):
        key = camel(field.name)
        if key not in raw or raw[key] is None:
            continue
        value = raw[key]
        if attrs.has(field.type):
            if isinstance(value, dict):
                values[field.name] = _structure(field.type, value, f"{key}.", problems)
            else:
                problems.append(f"{prefix}{key}: expected an object; using the default")
            continue
        try:
            structured = _strict(value, field.type)
            if field.validator is not None:
                field.validator(None, field, structured)
        except (TypeError, ValueError, cattrs.BaseValidationError) as exc:
            default = field.default
            if isinstance(default, attrs.Factory):
                default = default.factory()
            problems.append(
                f"{prefix}{key}: {_reason(exc)} (got {value!r}); using the default "
                f"{default!r}"
            )
            continue
        values[field.name] = structured
    unknown = set(raw) - {camel(field.name) for field in attrs.fields(cls)}
    if unknown:
        logger.debug("ignoring unknown settings: %s", sorted(unknown))
    return cls(**values)


def _strict(value: Any, target: Any) -> Any:
    """Structure *value* without cattrs' lenient coercions (``"yes"`` is no bool)."""
    if target is bool and not isinstance(value, bool):
        raise TypeError("expected true or false")
    if target is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError("expected a whole number")
    if target is str and not isinstance(value, str):
        raise TypeError("expected a string")
    origin = getattr(target, "__origin__", None)
    if origin is list and not (
        isinstance(value, list) and all(isinstance(v, str) for v in value)
    ):
        raise TypeError("expected a list of strings")
    if origin is dict and not (
        isinstance(value, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    ):
        raise TypeError("expected an object of strings")
    return converter.structure(copy.deepcopy(value), target)


def _reason(exc: Exception) -> str:
    if isinstance(exc, cattrs.BaseValidationError):
        return "; ".join(cattrs.transform_error(exc))
    if exc.args and isinstance(exc.args[0], str):
        return exc.args[0]
    return type(exc).__name__


def merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge *update* over *base* (``None`` values in *update* are skipped)."""
    out = copy.deepcopy(base)
    for key, value in update.items():
        if value is None:
            continue
        if (
            isinstance(value, dict)
            and isinstance(out.get(key), dict)
            and key != "severity"
        ):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
