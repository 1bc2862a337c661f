"""Whether an action is still open, due or overdue on a day: the one rule the board pack, the scrutiny pack and
the dashboard share.

An action's status is kept as it is now, and its closing period says when it was closed, so it is open on a
day unless it was closed in a period that had ended by then: a Q3 report shows open an action closed in Q4. It is
**overdue** on a day when it is open and its due date was before that day, and **due** by a later day when it
is open and its due date falls between the two.
"""

from __future__ import annotations

import datetime as dt

from ..periods import parse_period
from ..store.commentary import Action


def open_on(action: Action, day: dt.date) -> bool:
    if action.status != "closed":
        return True
    return action.closed_period is not None and parse_period(action.closed_period).end > day


def overdue(action: Action, day: dt.date) -> bool:
    return open_on(action, day) and action.due_date is not None and action.due_date < day


def due_between(action: Action, day: dt.date, until: dt.date) -> bool:
    """Open on `day` and due from then until `until` (inclusive)."""
    return open_on(action, day) and action.due_date is not None and day <= action.due_date <= until


__all__ = ["due_between", "open_on", "overdue"]
