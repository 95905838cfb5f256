"""Writing a file: the one way tracegrad writes any file, with one policy for every caller.

``nn.save``, ``Lesson.save``, ``Drawing.render`` and ``save``, ``nn.data.write_idx`` and the
command line all call :func:`write_file`. What it promises:

- **Whole or not at all.** The content goes to a temporary file beside the target (same folder,
  so the rename is atomic), is flushed and fsynced, and is then renamed over the target: an error,
  Ctrl-C, SIGTERM, SIGHUP, a kill or a crash leaves the old file as it was. The temporary file is
  removed on every exit Python sees; one left by a hard kill (SIGKILL, power loss) is named after
  the target (``.model.npz.1f2e3d4c.tmp``) and the next write to that target removes it, unless
  its writer still holds the lock on it.
- **Regular files only.** Folders, devices (``/dev/null``), FIFOs and sockets are refused and never
  opened (opening a FIFO would block). A **symbolic link is followed**: the link stays, the file it
  points to gets the new content. A read-only file or folder is refused, for root too (the mode
  bits are read, since root may write anything). Errors name the path and what it is.
- **Permissions.** A replaced file keeps its mode (and owner, where the system allows); a new file
  gets the umask's, as ``open(path, "w")`` gives. A hard link is not kept: the path gets the new
  file, other names keep the old content.

>>> import tempfile
>>> path = write_file(os.path.join(tempfile.mkdtemp(), "notes.txt"), "new content")
>>> path.read_text(), os.listdir(path.parent)
('new content', ['notes.txt'])
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
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted there, which serves as the lock
    fcntl = None  # type: ignore[assignment]

__all__ = ["write_file", "checked_target", "special_file_kind"]

Content = bytes | str | Callable[[IO[bytes]], object]
_KINDS = {
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
    stat.S_IFIFO: "FIFO (named pipe)",
    stat.S_IFSOCK: "socket",
}
_TERMINATING = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]


def write_file(path: str | os.PathLike[str], content: Content, *, what: str = "write_file") -> Path:
    """Write ``content`` (bytes, text as UTF-8, or a function given the open binary file) to
    ``path`` whole, by the policy above; returns ``path``. ``what`` starts every error message.

    >>> import tempfile
    >>> path = write_file(os.path.join(tempfile.mkdtemp(), "a.bin"), b"1")
    >>> write_file(path, lambda file: 1 / 0)
    Traceback (most recent call last):
    ZeroDivisionError: division by zero
    >>> path.read_bytes()
    b'1'
    """
    target = Path(path)
    destination = checked_target(target, what=what)
    _remove_abandoned(destination)
    with _terminating_signals_raise():
        temporary, descriptor = _create_temporary(destination, target, what)
        try:
            with os.fdopen(descriptor, "wb", closefd=False) as file:
                if callable(content):
                    content(file)
                else:
                    file.write(content.encode("utf-8") if isinstance(content, str) else content)
            os.fsync(descriptor)
            checked_target(target, what=what)  # again: the target may have changed meanwhile
            _keep_owner_and_mode(destination, temporary)
            os.replace(temporary, destination)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        finally:
            os.close(descriptor)  # releases the lock, only now: until the rename the file is ours
    with contextlib.suppress(OSError):  # make the rename itself durable, where the system can
        folder = os.open(destination.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    return target


def checked_target(path: str | os.PathLike[str], *, what: str = "write_file") -> Path:
    """The file a write to ``path`` would replace (a link's target), or an ``OSError`` saying why
    it may not be written: a folder, a special file, read-only, a missing folder, a loop of links.

    >>> import tempfile
    >>> checked_target(tempfile.mkdtemp(), what="demo")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    IsADirectoryError: demo: ... is a folder; give a file name inside it
    """
    target = Path(path)
    destination = Path(os.path.realpath(target)) if target.is_symlink() else target
    shown = f"{target} (a symbolic link to {destination})" if destination != target else target
    try:
        status: os.stat_result | None = os.stat(destination)
    except FileNotFoundError:
        status = None
    except OSError as error:
        loop = error.errno == errno.ELOOP
        reason = "it is a symbolic link that leads back to itself" if loop else error.strerror
        raise _error(OSError, error.errno, f"{what}: cannot write {shown}: {reason}") from None
    folder = destination.parent
    if status is None and not folder.is_dir():
        message = f"cannot write {shown}: the folder {folder} does not exist (create it first)"
        raise _error(FileNotFoundError, errno.ENOENT, f"{what}: {message}")
    if status is not None and stat.S_ISDIR(status.st_mode):
        message = f"{shown} is a folder; give a file name inside it"
        raise _error(IsADirectoryError, errno.EISDIR, f"{what}: {message}")
    if status is not None and not stat.S_ISREG(status.st_mode):
        kind = special_file_kind(status.st_mode)
        message = f"{shown} is a {kind}, not a regular file; it is left as it is"
        raise _error(OSError, None, f"{what}: {message}")
    read_only = [(destination, status, "file is")] if status is not None else []
    for checked, known, name in [*read_only, (folder, os.stat(folder), f"folder {folder} is")]:
        if not known.st_mode & 0o222 or not os.access(checked, os.W_OK):
            mode = f"mode {stat.S_IMODE(known.st_mode):03o}"
            message = f"cannot write {shown}: the {name} read-only ({mode})"
            raise _error(PermissionError, errno.EACCES, f"{what}: {message}")
    return destination


def special_file_kind(mode: int) -> str | None:
    """What a file is, from its ``st_mode``, when it is neither a regular file nor a folder.

    >>> special_file_kind(os.stat(os.devnull).st_mode) if os.name == "posix" else "character device"
    'character device'
    """
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return _KINDS.get(stat.S_IFMT(mode), "special file")


def _error(kind: type[OSError], code: int | None, message: str) -> OSError:
    error = kind(message)  # the message alone as str(error), with the errno kept for callers
    error.errno = code
    return error


def _temporary_stem(destination: Path) -> str:
    """``.NAME``, cut (with a hash of NAME) where ``.NAME.1f2e3d4c.tmp`` would be too long."""
    try:
        room = int(os.pathconf(destination.parent, "PC_NAME_MAX")) - 13
    except (AttributeError, OSError, ValueError):
        room = 255 - 13
    stem = os.fsencode(f".{destination.name}")
    if len(stem) <= room:
        return f".{destination.name}"
    digest = hashlib.sha256(stem).hexdigest()[:8]
    return stem[: room - 9].decode("utf-8", "ignore") + f"~{digest}"


def _create_temporary(destination: Path, target: Path, what: str) -> tuple[Path, int]:
    stem = _temporary_stem(destination)
    # A new file gets 0o666 less the umask; over an existing file, private until its mode is set.
    mode = 0o600 if destination.exists() else 0o666
    while True:
        temporary = destination.with_name(f"{stem}.{secrets.token_hex(4)}.tmp")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        try:
            descriptor = os.open(temporary, flags, mode)
        except FileExistsError:
            continue
        except OSError as error:  # the user named the target: the temporary name would confuse
            message = f"{what}: cannot write {target}: cannot create a file in {destination.parent}"
            raise _error(OSError, error.errno, f"{message} ({error.strerror})") from None
        if _lock(descriptor, temporary) is not False:
            return temporary, descriptor
        os.close(descriptor)  # a cleaner took it in the instant before the lock: start again


def _lock(descriptor: int, path: Path) -> bool | None:
    """Lock an open file that is still the one at ``path``: True, False (held by another, or
    removed meanwhile), or None where the system has no locks."""
    if fcntl is None:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return None
    try:
        current, mine = os.stat(path, follow_symlinks=False), os.fstat(descriptor)
    except FileNotFoundError:
        return False
    return (current.st_dev, current.st_ino) == (mine.st_dev, mine.st_ino)


def _remove_abandoned(destination: Path) -> None:
    """Remove the temporary files earlier writes to ``destination`` left, if none holds them."""
    pattern = re.compile(re.escape(_temporary_stem(destination)) + r"\.[0-9a-f]{8}\.tmp")
    with contextlib.suppress(OSError):
        for name in os.listdir(destination.parent):
            if not pattern.fullmatch(name):
                continue
            path = destination.parent / name
            if fcntl is None:  # Windows refuses to delete a file a running write has open
                with contextlib.suppress(OSError):
                    os.unlink(path)
                continue
            flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
            with contextlib.suppress(OSError):
                descriptor = os.open(path, flags)
                try:
                    if stat.S_ISREG(os.fstat(descriptor).st_mode) and _lock(descriptor, path):
                        os.unlink(path)
                finally:
                    os.close(descriptor)


def _keep_owner_and_mode(destination: Path, temporary: Path) -> None:
    try:
        old = os.stat(destination)
    except FileNotFoundError:
        return
    new = os.stat(temporary)
    if hasattr(os, "chown") and (old.st_uid, old.st_gid) != (new.st_uid, new.st_gid):
        with contextlib.suppress(PermissionError):  # only root may give a file away, as in cp
            os.chown(temporary, old.st_uid, old.st_gid)
    os.chmod(temporary, stat.S_IMODE(old.st_mode))


class _Terminated(BaseException):
    """SIGTERM or SIGHUP during a write: unwind, removing the temporary file, then end."""


@contextlib.contextmanager
def _terminating_signals_raise() -> Iterator[None]:
    """While writing, SIGTERM and SIGHUP (unless the program handles them) raise, so the
    temporary file is removed; the signal is then delivered again and ends the process as it
    would have. Only the main thread may set handlers: a write in another thread is left as is."""
    main = threading.current_thread() is threading.main_thread()
    ours = [s for s in _TERMINATING if main and signal.getsignal(s) == signal.SIG_DFL]
    writing = True

    def handler(signum: int, frame: object) -> None:
        if writing:
            raise _Terminated(signum)
        signal.signal(signum, signal.SIG_DFL)  # arrived after the write: end as by default
        signal.raise_signal(signum)

    for signum in ours:
        signal.signal(signum, handler)
    try:
        yield
    finally:
        writing = False
        for signum in ours:
            signal.signal(signum, signal.SIG_DFL)
        stopped = sys.exc_info()[1]
        if isinstance(stopped, _Terminated):  # the temporary file is gone: now end as by default
            signal.raise_signal(stopped.args[0])
