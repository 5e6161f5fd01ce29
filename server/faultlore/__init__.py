"""faultlore: finds known failures in logs and config files and says how to fix them."""

__version__ = "0.1.0"
