"""What a store raises, whichever concern failed: callers tell a refused value from a database that
is away by these classes alone, never by a driver's exception."""

from __future__ import annotations


class StoreError(Exception):
    """The store could not do what was asked; the cause is chained."""


class StoreUnavailable(StoreError):
    """The database is down, full, stalled or too slow: the same call may work later."""


class DatabaseUnreachable(StoreUnavailable):
    """The database could not be opened at all (refused, no such host or database, a file that
    cannot be created): operators need where it looked and why, in one line, not a traceback.
    `where` never carries credentials."""

    def __init__(self, *, where: str, reason: str) -> None:
        self.where = where
        self.reason = reason
        super().__init__(f"cannot connect to {where}: {reason}")


class StoreFull(StoreUnavailable):
    """The database has no room to write (a full disk): reads may still work."""


class StoreRejected(StoreError):
    """The database refused these values (one it cannot hold): the same call never will work."""
