"""What the public statistics page may show without singling anyone out.

The rule (docs/statistics.md):

1. A cell counting 1 to 4 businesses or owners shows "<5". A cell that adds something up
   (workers) shows "<5" when fewer than 5 businesses stand behind it. Zero shows 0: it
   counts nobody.
2. Every other count, totals included, is rounded to the nearest multiple of 5 (halves
   up). Each total is rounded from its exact value, never added up from rounded cells.

Why rounding rather than hiding a second cell: with every shown figure rounded to 5, the
difference between a total and the cells shown beside it is only known to within ±4, so a
hidden cell of 1 to 4 cannot be recomputed by subtraction, in one table or across tables
(the same total appears in several). A hidden second cell would protect one table but not
a total shared with another table.
"""

from __future__ import annotations

THRESHOLD = 5
BASE = 5
HIDDEN = "<5"


def rounded(n: int) -> int:
    """``n`` to the nearest multiple of BASE, halves up."""
    return (n + BASE // 2) // BASE * BASE


def public_count(n: int) -> int | str:
    """A count of businesses or people as the public page shows it."""
    if n <= 0:
        return 0
    if n < THRESHOLD:
        return HIDDEN
    return rounded(n)


def public_sum(total: int, businesses: int) -> int | str:
    """A sum (workers) over ``businesses`` businesses as the public page shows it."""
    if businesses <= 0:
        return 0
    if businesses < THRESHOLD:
        return HIDDEN
    return rounded(total)


def public_median_allowed(businesses: int) -> bool:
    """A median or percentile of a group is shown only for at least THRESHOLD businesses."""
    return businesses >= THRESHOLD


def drawable(cell: int | str) -> int:
    """What a public chart may draw for a cell: nothing where the table hides the figure."""
    return cell if isinstance(cell, int) else 0
