"""Masking of personal names for pages that strangers may see."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """Keep each word's first letter: "Siti Nur Aminah" -> "S*** N** A*****"."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())
