"""Marking user-facing English text for translation where it is defined."""


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue (Babel extracts ``N_``); it is translated where
    it is shown."""
    return message
