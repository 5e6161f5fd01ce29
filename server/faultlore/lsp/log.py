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


EARLY_RECORDS = 50
"""Records kept from before ``initialized``, sent once the client is ready."""


class LspLogHandler(logging.Handler):
    """Sends records of the ``faultlore`` loggers to the client's log.

    Attached to the ``faultlore`` logger only, so pygls' own loggers (which log the
    messages this handler sends) never come through and cannot recurse.
    """

    def __init__(self, server: FaultloreServer, level: int = logging.INFO) -> None:
        super().__init__(level)
        self.server = server
        self._busy = threading.local()
        self._early: list[types.LogMessageParams] = []
        self.setFormatter(logging.Formatter("%(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("pygls") or getattr(self._busy, "active", False):
            return
        kind = next(kind for level, kind in _LEVELS if record.levelno >= level)
        params = types.LogMessageParams(type=kind, message=self.format(record))
        if not self.server.ready:
            # Before `initialized` the client may not listen yet: keep the first few.
            if len(self._early) < EARLY_RECORDS:
                self._early.append(params)
            return
        loop = self.server.loop
        if loop is not None and threading.get_ident() != self.server.loop_thread:
            # Scans run in worker threads; only the event loop may write to the client.
            loop.call_soon_threadsafe(self._send, params)
        else:
            self._send(params)

    def flush_early(self) -> None:
        """Send what was logged before the client was ready."""
        early, self._early = self._early, []
        for params in early:
            self._send(params)

    def _send(self, params: types.LogMessageParams) -> None:
        self._busy.active = True
        try:
            self.server.window_log_message(params)
        except Exception:  # noqa: BLE001 - logging must never break the server
            logging.getLogger("pygls").debug("window/logMessage failed", exc_info=True)
        finally:
            self._busy.active = False
