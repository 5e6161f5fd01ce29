"""Forwarding faultlore's log records to the editor (``window/logMessage``)."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from faultlore.lsp.server import FaultloreServer

_LEVELS = (
    (logging.ERROR, types.MessageType.Error),
    (logging.WARNING, types.MessageType.Warning),
    (logging.INFO, types.MessageType.Info),
    (logging.NOTSET, types.MessageType.Log),
)


class LspLogHandler(logging.Handler):
    """Sends records of the ``faultlore`` loggers to the client's log.

    Attached to the ``faultlore`` logger only, so pygls' own loggers (which log the
    messages this handler sends) never come through and cannot recurse.
    """

    def __init__(self, server: FaultloreServer, level: int = logging.INFO) -> None:
        super().__init__(level)
        self.server = server
        self._busy = threading.local()
        self.setFormatter(logging.Formatter("%(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("pygls") or getattr(self._busy, "active", False):
            return
        if not self.server.ready:
            return
        self._busy.active = True
        try:
            kind = next(kind for level, kind in _LEVELS if record.levelno >= level)
            self.server.window_log_message(
                types.LogMessageParams(type=kind, message=self.format(record))
            )
        except Exception:  # noqa: BLE001 - logging must never break the server
            self.handleError(record)
        finally:
            self._busy.active = False
