"""Errors a user can cause. The CLI prints them as one line, never as a traceback."""

from __future__ import annotations

import difflib
import errno
from collections.abc import Iterable


class UserError(Exception):
    """A problem with the user's input or environment: bad path, bad schema, missing package."""


class MissingDependency(UserError):
    """An optional package or asset is not installed; the message says what to install."""


class NotApplicable(Exception):
    """An adapter that cannot answer this kind of item by design (the oracle on an environment with
    no expert). Its samples are recorded as errors (scored wrong, shown as n/a), but a run where
    every sample is n/a is not a failed run."""


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """' (did you mean: a, b?)' for close names, or ''."""
    close = difflib.get_close_matches(name, list(choices), n=3, cutoff=0.5)
    return f" (did you mean: {', '.join(close)}?)" if close else ""


# OS errors the user's environment causes (a full disk, a read-only or forbidden path): printed as
# one line naming the path; every other OSError stays a traceback, since it is more likely a bug.
_ENV_ERRNOS = {
    errno.ENOSPC: "no space left on the device; free some space or choose another --out",
    errno.EDQUOT: "disk quota exceeded; free some space or choose another --out",
    errno.EROFS: "read-only file system; choose another --out",
    errno.EACCES: "permission denied; choose a path you can write, or fix its permissions",
    errno.EPERM: "operation not permitted; choose a path you can write, or fix its permissions",
}


def environment_error(e: BaseException) -> str | None:
    """One line for an OSError the user's environment caused, naming the path; None otherwise."""
    if not isinstance(e, OSError) or e.errno not in _ENV_ERRNOS:
        return None
    path = e.filename if e.filename is not None else "a file"
    return f"{path}: {_ENV_ERRNOS[e.errno]}"
