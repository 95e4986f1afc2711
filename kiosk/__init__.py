"""Borne: a locked-down public access kiosk."""

__version__ = "0.1.0"
