"""The faultlore language server (``faultlore lsp``): protocol side of the engine."""
