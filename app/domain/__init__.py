"""Pure domain logic of Joss Banget Mas: validation, business scale, status, tracking codes.

Nothing here does I/O or imports from the rest of the app; only the standard library.
"""
