"""Backups: Litestream's continuous replica, one-off snapshots, and restores into a fresh
data directory with an integrity check (see docs/operations.md)."""
