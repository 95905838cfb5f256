"""Writing a file so that it is either the old file or the complete new one, never half of each.

:func:`write_atomically` is how ``nn.save`` writes. The new content goes to a temporary file
beside the target, is flushed to disk, and is then renamed over the target in one step. What it
promises, and why:

- **Only regular files are written.** A folder, a device (``/dev/null``), a FIFO or a socket is
  refused: renaming a file over it would destroy it.
- **A symbolic link is followed**, as ``open(path, "w")`` follows it: the file the link points
  to is replaced (atomically, in that file's folder) and the link stays a link.
- **Read-only is respected.** A target without write permission (mode 444), or a folder without
  it, gives a ``PermissionError`` naming the path you gave, as ``open(path, "w")`` would. The
  mode bits are read directly (the rename would otherwise replace a read-only file silently,
  because only the folder's permission counts for a rename), and for root too, for whom a file
  or folder with no write bit at all counts as read-only.
- **Nothing is left behind where Python can prevent it.** The temporary file is removed on any
  exception, on Ctrl-C, and on SIGTERM or SIGHUP (which then end the process as they would
  have). A hard kill (SIGKILL, power loss) cannot be cleaned up at the time, so temporary files
  are named after the target (``.model.npz.1f2e3d4c.tmp``) and the next save to that target
  removes those whose writer is gone (each writer holds a lock on its file while it works, so a
  save in progress in another process is never disturbed).
- An existing target keeps its permission bits (and its owner, where the system allows).
  A hard link is not kept: the path gets the new file, other names keep the old content.

>>> import tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "notes.bin")
>>> write_atomically(path, lambda file: file.write(b"new content"))
>>> open(path, "rb").read(), os.listdir(os.path.dirname(path))
(b'new content', ['notes.bin'])
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import signal
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import IO, Any

try:
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted there, which serves as the lock
    fcntl = None  # type: ignore[assignment]

__all__ = ["write_atomically", "temporary_name_pattern", "special_file_kind"]

PathLike = str | os.PathLike[str]

_RANDOM_BYTES = 4  # 8 hex digits
_SUFFIX = ".tmp"
_DEFAULT_NAME_MAX = 255  # bytes in one file name, on nearly every file system
_OPEN_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
# Opening a stale candidate must neither follow a link nor hang on a FIFO.
_PROBE_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
# Signals whose default action ends the process without running Python code.
_TERMINATING = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def write_atomically(
    path: PathLike, write: Callable[[IO[bytes]], Any], *, who: str = "nn.save"
) -> None:
    """Call ``write(file)`` on a temporary file, then rename it over ``path`` in one step.

    ``who`` starts every error message (``"nn.save: ..."``). If ``write`` raises, or the
    process is interrupted, any previous file at ``path`` is left exactly as it was.

    >>> import tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "a.txt")
    >>> write_atomically(path, lambda file: file.write(b"1"))
    >>> write_atomically(path, lambda file: 1 / 0)
    Traceback (most recent call last):
    ...
    ZeroDivisionError: division by zero
    >>> open(path).read()
    '1'
    """
    target = Path(path)
    destination = _checked_destination(target, who)
    _remove_abandoned_temporaries(destination)
    with _terminating_signals_raise():
        temporary, descriptor = _create_temporary(destination, target, who)
        try:
            with os.fdopen(descriptor, "wb", closefd=False) as file:
                write(file)
                file.flush()
            os.fsync(descriptor)
            _keep_owner_and_mode(destination, temporary)
            os.replace(temporary, destination)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        finally:
            # Closing releases the lock, only now: until the rename the file is still ours.
            os.close(descriptor)
    _sync_folder(destination.parent)


def temporary_name_pattern(path: PathLike) -> re.Pattern[str]:
    """The names :func:`write_atomically` gives its temporary files for ``path``.

    >>> bool(temporary_name_pattern("model.npz").fullmatch(".model.npz.0a1b2c3d.tmp"))
    True
    """
    target = Path(path)
    stem = _temporary_stem(target.name, _name_max(target.parent))
    random_part = rf"\.[0-9a-f]{{{2 * _RANDOM_BYTES}}}"
    return re.compile(re.escape(stem) + random_part + re.escape(_SUFFIX))


# --- what may be written ------------------------------------------------------------------

_KINDS = (
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISFIFO, "FIFO (named pipe)"),
    (stat.S_ISSOCK, "socket"),
)


def special_file_kind(mode: int) -> str | None:
    """What a file is when it is neither a regular file nor a folder, from its ``st_mode``.

    >>> special_file_kind(os.stat(os.devnull).st_mode) if os.name == "posix" else "character device"
    'character device'
    """
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "special file")


def _checked_destination(target: Path, who: str) -> Path:
    """The file to replace: ``target``, or where it leads if it is a symbolic link."""
    destination = Path(os.path.realpath(target)) if target.is_symlink() else target
    via = f" (a symbolic link to {destination})" if destination != target else ""
    try:
        status: os.stat_result | None = os.stat(destination)
    except FileNotFoundError:
        status = None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise OSError(
                errno.ELOOP,
                f"{who}: cannot write {target}: it is a symbolic link that leads back to itself "
                "(a loop of links)",
            ) from None
        raise OSError(error.errno, f"{who}: cannot write {target}{via}: {error.strerror}") from None
    folder = destination.parent
    if status is None:
        if not folder.is_dir():
            raise FileNotFoundError(
                errno.ENOENT,
                f"{who}: cannot write {target}{via}: the folder {folder} does not exist "
                "(create it first, e.g. with os.makedirs)",
            )
    elif stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError(
            errno.EISDIR, f"{who}: {target}{via} is a folder; give a file name inside it"
        )
    elif not stat.S_ISREG(status.st_mode):
        kind = special_file_kind(status.st_mode)
        raise OSError(
            f"{who}: {target}{via} is a {kind}, not a regular file; {who} writes regular files "
            "only (replacing it would destroy it)"
        )
    elif _mode_forbids_writing(destination, status):
        raise PermissionError(
            errno.EACCES,
            f"{who}: cannot write {target}{via}: the file is read-only "
            f"(mode {stat.S_IMODE(status.st_mode):03o}); make it writable first "
            "(chmod u+w) or save to another name",
        )
    folder_status = os.stat(folder)
    if _mode_forbids_writing(folder, folder_status):
        raise PermissionError(
            errno.EACCES,
            f"{who}: cannot write {target}{via}: the folder {folder} is read-only "
            f"(mode {stat.S_IMODE(folder_status.st_mode):03o})",
        )
    return destination


def _mode_forbids_writing(path: Path, status: os.stat_result) -> bool:
    """Whether the permission bits say "read-only", as ``open(path, "w")`` would read them.

    For an ordinary user the bits of the class they fall in (owner, group, others) decide, as
    the system decides (and ``os.access`` has the last word, for ACLs). Root may write anything,
    so for root "read-only" means what people mean by it: no write bit at all (mode 444, 555),
    which the rename would otherwise ignore, because only the folder's permission counts for it.
    """
    if not hasattr(os, "geteuid"):  # Windows: only the read-only attribute, shown as S_IWUSR
        return not status.st_mode & stat.S_IWUSR
    if os.geteuid() == 0:
        return not status.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    if status.st_uid == os.geteuid():
        bit = stat.S_IWUSR
    elif status.st_gid == os.getegid() or status.st_gid in os.getgroups():
        bit = stat.S_IWGRP
    else:
        bit = stat.S_IWOTH
    return not status.st_mode & bit or not os.access(path, os.W_OK)


# --- the temporary file -------------------------------------------------------------------


def _name_max(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (AttributeError, OSError, ValueError):
        return _DEFAULT_NAME_MAX


def _temporary_stem(name: str, name_max: int) -> str:
    """``.NAME``; for a name too long to take the suffix, a shortened one with a hash of it."""
    stem = f".{name}"
    room = name_max - 1 - 2 * _RANDOM_BYTES - len(_SUFFIX)  # ".", random hex, ".tmp"
    encoded = os.fsencode(stem)
    if len(encoded) <= room:
        return stem
    digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:8]
    # Cut on a character boundary ("ignore" drops a partly cut character), then mark and hash.
    kept = encoded[: room - len(digest) - 1].decode("utf-8", "ignore")
    return f"{kept}~{digest}"


def _create_temporary(destination: Path, target: Path, who: str) -> tuple[Path, int]:
    """A new, locked file beside ``destination`` (same file system: the rename is atomic)."""
    stem = _temporary_stem(destination.name, _name_max(destination.parent))
    while True:
        candidate = destination.with_name(f"{stem}.{secrets.token_hex(_RANDOM_BYTES)}{_SUFFIX}")
        try:
            # Mode 0o666 lets the umask decide, as for any newly created file.
            descriptor = os.open(candidate, _OPEN_FLAGS, 0o666)
        except FileExistsError:
            continue
        except OSError as error:
            # The user gave the target's name; the temporary file's name would only confuse.
            raise OSError(
                error.errno,
                f"{who}: cannot write {target}: cannot create a file in {destination.parent} "
                f"({error.strerror})",
            ) from None
        if _lock_as_ours(descriptor, candidate):
            return candidate, descriptor
        os.close(descriptor)  # a cleaner took it in the instant before the lock: start again


def _lock_as_ours(descriptor: int, path: Path) -> bool:
    """Lock a fresh temporary file, and check no other save removed it before the lock."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return True  # no locks on this file system: then no cleaner can lock it either
    try:
        current = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(descriptor)
    return (current.st_dev, current.st_ino) == (mine.st_dev, mine.st_ino)


def _remove_abandoned_temporaries(destination: Path) -> None:
    """Remove temporary files of earlier saves to ``destination`` whose process is gone."""
    pattern = temporary_name_pattern(destination)
    try:
        names = os.listdir(destination.parent)
    except OSError:
        return
    for name in names:
        if pattern.fullmatch(name):
            _remove_if_abandoned(destination.parent / name)


def _remove_if_abandoned(path: Path) -> None:
    if fcntl is None:
        # Windows refuses to delete a file that a running save still has open.
        with contextlib.suppress(OSError):
            os.unlink(path)
        return
    try:
        descriptor = os.open(path, _PROBE_FLAGS)
    except OSError:
        return
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            return
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return  # a save in progress holds it (or locks are unsupported: leave it be)
        current = os.stat(path, follow_symlinks=False)
        if (current.st_dev, current.st_ino) == (status.st_dev, status.st_ino):
            os.unlink(path)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _keep_owner_and_mode(destination: Path, temporary: Path) -> None:
    try:
        status = os.stat(destination)
    except FileNotFoundError:
        return
    if hasattr(os, "chown"):
        mine = os.stat(temporary)
        if (mine.st_uid, mine.st_gid) != (status.st_uid, status.st_gid):
            # Only root may give a file away; anyone else gets a file of their own, as cp does.
            with contextlib.suppress(PermissionError):
                os.chown(temporary, status.st_uid, status.st_gid)
    os.chmod(temporary, stat.S_IMODE(status.st_mode))


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; not possible (nor needed) on every platform."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


# --- signals ------------------------------------------------------------------------------


class _Terminated(BaseException):
    """Raised inside a save by SIGTERM or SIGHUP, so the cleanup runs before the process ends."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _terminating_signals_raise() -> Iterator[None]:
    """While saving, turn SIGTERM and SIGHUP (if nobody handles them) into an exception.

    Afterwards the signal is delivered again with its default action, so the process ends as it
    would have, only without the temporary file. Handlers can only be set in the main thread;
    a save in another thread, or one whose program handles these signals itself, is left as is.
    """
    if os.name != "posix" or threading.current_thread() is not threading.main_thread():
        yield
        return
    active = True

    def handler(signum: int, frame: FrameType | None) -> None:
        if active:
            raise _Terminated(signum)
        signal.signal(signum, signal.SIG_DFL)
        signal.raise_signal(signum)

    replaced = [s for s in _TERMINATING if signal.getsignal(s) == signal.SIG_DFL]
    for signum in replaced:
        signal.signal(signum, handler)
    try:
        yield
    except _Terminated as terminated:
        active = False
        for signum in replaced:
            signal.signal(signum, signal.SIG_DFL)
        replaced = []
        signal.raise_signal(terminated.signum)
        raise  # reached only if the signal's action did not end the process
    finally:
        active = False
        for signum in replaced:
            signal.signal(signum, signal.SIG_DFL)
