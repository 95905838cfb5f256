"""nn.save's targets: links, special files, read-only files and folders, long names, leftovers.

Every test works inside tmp_path only. Read-only checks use the mode bits, so they hold whether
the tests run as root or not.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from nn import atomic_write
from nn.atomic_write import temporary_name_pattern, write_atomically
from nn.serialization import load, save

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX files, modes and signals")
ROOT = Path(__file__).resolve().parent.parent


def _files(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def _state(value: float) -> dict[str, np.ndarray]:
    return {"w": np.full(3, value)}


# --- symbolic links -----------------------------------------------------------------------


@posix_only
def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "store" / "weights.npz"
    real.parent.mkdir()
    save(_state(1.0), real)
    link = tmp_path / "model.npz"
    link.symlink_to(Path("store") / "weights.npz")  # relative, as links often are
    save(_state(2.0), link)
    assert link.is_symlink() and os.readlink(link) == os.path.join("store", "weights.npz")
    assert load(real)["w"].tolist() == [2.0, 2.0, 2.0]
    # The temporary file went beside the real file, and nothing is left in either folder.
    assert _files(tmp_path) == ["model.npz", "store"]
    assert _files(real.parent) == ["weights.npz"]


@posix_only
def test_a_dangling_symlink_creates_its_target_and_a_broken_one_is_named(tmp_path: Path) -> None:
    (tmp_path / "new.npz").symlink_to("created.npz")
    save(_state(3.0), tmp_path / "new.npz")
    assert (tmp_path / "new.npz").is_symlink()
    assert load(tmp_path / "created.npz")["w"].tolist() == [3.0, 3.0, 3.0]
    (tmp_path / "lost.npz").symlink_to("missing-folder/x.npz")
    with pytest.raises(FileNotFoundError, match=r"lost.npz \(a symbolic link to .*x.npz\).*"):
        save(_state(1.0), tmp_path / "lost.npz")
    (tmp_path / "loop.npz").symlink_to("loop.npz")
    with pytest.raises(OSError, match=r"loop.npz: it is a symbolic link that leads back"):
        save(_state(1.0), tmp_path / "loop.npz")
    assert (tmp_path / "loop.npz").is_symlink()


# --- special files ------------------------------------------------------------------------


def _assert_refused_and_kept(path: Path, kind: str, is_kind: object) -> None:
    with pytest.raises(OSError, match=rf"nn.save: {path} is a {kind}, not a regular file"):
        save(_state(1.0), path)
    assert is_kind(os.lstat(path).st_mode)  # type: ignore[operator]
    assert _files(path.parent) == [path.name]


@posix_only
def test_a_fifo_is_refused_not_replaced(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.npz")
    _assert_refused_and_kept(tmp_path / "pipe.npz", r"FIFO \(named pipe\)", stat.S_ISFIFO)
    with pytest.raises(ValueError, match="is a FIFO"):  # and loading does not hang on it
        load(tmp_path / "pipe.npz")


@posix_only
def test_a_socket_is_refused_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "s.npz"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
    except OSError as error:  # a tmp_path too long for a socket address
        pytest.skip(f"cannot bind a socket here: {error}")
    try:
        _assert_refused_and_kept(path, "socket", stat.S_ISSOCK)
    finally:
        server.close()


@posix_only
def test_a_device_is_refused_not_replaced(tmp_path: Path) -> None:
    """As root, nn.save(sd, "/dev/null") once renamed its file over the device node."""
    path = tmp_path / "null.npz"
    try:  # a device node of our own, equal to /dev/null, so no system file is ever at risk
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError) as error:
        pytest.skip(f"creating a device node needs privileges: {error}")
    _assert_refused_and_kept(path, "character device", stat.S_ISCHR)
    link = tmp_path / "to-null.npz"
    link.symlink_to(path)
    with pytest.raises(OSError, match=r"to-null.npz \(a symbolic link to .*null.npz\) is a char"):
        save(_state(1.0), link)
    assert stat.S_ISCHR(os.stat(path).st_mode) and link.is_symlink()


# --- read-only targets and folders -------------------------------------------------------


@posix_only
def test_a_read_only_file_is_respected(tmp_path: Path) -> None:
    path = tmp_path / "frozen.npz"
    save(_state(1.0), path)
    os.chmod(path, 0o444)
    with pytest.raises(PermissionError, match=rf"cannot write {path}: the file is read-only "):
        save(_state(2.0), path)
    assert load(path)["w"].tolist() == [1.0, 1.0, 1.0]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o444
    assert _files(tmp_path) == ["frozen.npz"]
    os.chmod(path, 0o644)  # writable again: saving works again
    save(_state(2.0), path)
    assert load(path)["w"].tolist() == [2.0, 2.0, 2.0]


@posix_only
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_root_replaces_someone_elses_writable_file_and_keeps_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "theirs.npz"
    save(_state(1.0), path)
    os.chown(path, 12345, 12345)
    os.chmod(path, 0o644)  # writable by its owner only: not read-only, and root may write it
    os.chmod(tmp_path, 0o755)
    save(_state(2.0), path)
    status = os.stat(path)
    assert (status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)) == (12345, 12345, 0o644)
    assert load(path)["w"].tolist() == [2.0, 2.0, 2.0]


@posix_only
def test_a_read_only_folder_is_named_not_the_temporary_file(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    os.chmod(folder, 0o555)
    try:
        with pytest.raises(PermissionError) as caught:
            save(_state(1.0), folder / "model.npz")
        message = str(caught.value)
        assert f"cannot write {folder / 'model.npz'}: the folder {folder} is read-only" in message
        assert ".tmp" not in message
        assert _files(folder) == []
    finally:
        os.chmod(folder, 0o755)


def test_an_error_creating_the_temporary_file_names_the_users_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever stops the temporary file (a full disk, a quota, a read-only file system)."""
    real_open = os.open

    def refuse_temporary(path: object, flags: int, *args: object) -> int:
        if str(path).endswith(".tmp"):
            raise OSError(30, "Read-only file system", str(path))
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(atomic_write.os, "open", refuse_temporary)
    with pytest.raises(OSError, match=r"cannot write .*model.npz: cannot create a file in") as e:
        save(_state(1.0), tmp_path / "model.npz")
    assert e.value.errno == 30 and ".tmp" not in str(e.value)


# --- names near the limit -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["x" * 251 + ".npz", "é" * 123 + "ab.npz", "ü" * 122 + "ab.npz"])
def test_a_name_near_255_bytes_works(tmp_path: Path, name: str) -> None:
    assert 250 <= len(os.fsencode(name)) <= 255
    save(_state(1.0), tmp_path / name)
    save(_state(2.0), tmp_path / name)
    assert _files(tmp_path) == [name]
    assert load(tmp_path / name)["w"].tolist() == [2.0, 2.0, 2.0]


def test_a_long_names_temporary_file_is_shortened_and_still_findable(tmp_path: Path) -> None:
    name = "y" * 250 + ".npz"
    seen: list[str] = []

    def look(file: object) -> None:
        seen.extend(n for n in os.listdir(tmp_path) if n != name)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(tmp_path / name, look)
    (temporary,) = seen
    assert len(os.fsencode(temporary)) <= 255 and temporary.endswith(".tmp")
    assert temporary.startswith(".yyyy")  # named after the target, shortened, with a hash
    assert temporary_name_pattern(tmp_path / name).fullmatch(temporary)
    assert not temporary_name_pattern(tmp_path / ("y" * 250 + ".npy")).fullmatch(temporary)
    assert _files(tmp_path) == []


# --- leftovers: signals, and temporary files of killed saves ------------------------------

_SLOW_SAVE = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from nn import serialization

    real_write = serialization.npy_format.write_array
    def slow_write(entry, array, **kwargs):
        real_write(entry, array, **kwargs)
        print("writing", flush=True)   # the temporary file exists and holds one entry
        time.sleep(60)

    serialization.npy_format.write_array = slow_write
    serialization.save({"w": np.zeros(3), "b": np.zeros(2)}, sys.argv[1])
    print("finished", flush=True)
    """
)


def _start_slow_save(path: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", _SLOW_SAVE, str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if line != "writing\n":
        process.kill()
        pytest.fail(f"the saving process did not start writing: {line!r}")
    return process


def _stop(process: subprocess.Popen[str], signum: int) -> int:
    process.send_signal(signum)
    try:
        return process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()


@posix_only
@pytest.mark.parametrize("signum", [signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)])
def test_sigterm_mid_save_removes_the_temporary_and_ends_the_process(
    tmp_path: Path, signum: int
) -> None:
    path = tmp_path / "model.npz"
    save(_state(1.0), path)
    process = _start_slow_save(path)
    assert len(_files(tmp_path)) == 2  # the target and the save's temporary file
    assert _stop(process, signum) == -signum  # ended by the signal, as without nn.save
    assert _files(tmp_path) == ["model.npz"]
    assert load(path)["w"].tolist() == [1.0, 1.0, 1.0]


@posix_only
def test_a_killed_saves_leftover_is_removed_by_the_next_save(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    save(_state(1.0), path)
    process = _start_slow_save(path)
    assert _stop(process, signal.SIGKILL) == -signal.SIGKILL  # nothing can clean up after this
    (leftover,) = [name for name in _files(tmp_path) if name != "model.npz"]
    assert temporary_name_pattern(path).fullmatch(leftover)  # findable: named after the target
    save(_state(2.0), tmp_path / "other.npz")  # another target's save leaves it alone
    assert leftover in _files(tmp_path)
    save(_state(2.0), path)
    assert _files(tmp_path) == ["model.npz", "other.npz"]
    assert load(path)["w"].tolist() == [2.0, 2.0, 2.0]


@posix_only
def test_a_save_in_progress_elsewhere_keeps_its_temporary_file(tmp_path: Path) -> None:
    """Two processes saving to one file: the second must not delete the first one's work."""
    path = tmp_path / "model.npz"
    process = _start_slow_save(path)
    try:
        (working,) = _files(tmp_path)
        save(_state(2.0), path)
        assert _files(tmp_path) == sorted(["model.npz", working])
    finally:
        process.kill()
        process.wait(timeout=60)


@posix_only
def test_a_locked_look_alike_is_kept_and_an_unlocked_one_removed(tmp_path: Path) -> None:
    fcntl = pytest.importorskip("fcntl")
    path = tmp_path / "model.npz"
    leftover = tmp_path / ".model.npz.0123abcd.tmp"
    unrelated = tmp_path / ".model.npz.notmine.tmp"
    leftover.write_bytes(b"half a file")
    unrelated.write_bytes(b"someone else's")
    with open(leftover, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        save(_state(1.0), path)
        assert _files(tmp_path) == sorted([leftover.name, unrelated.name, "model.npz"])
    save(_state(1.0), path)
    assert _files(tmp_path) == sorted([unrelated.name, "model.npz"])


@posix_only
def test_a_program_with_its_own_sigterm_handler_keeps_it(tmp_path: Path) -> None:
    def mine(signum: int, frame: object) -> None:
        pass

    previous = signal.signal(signal.SIGTERM, mine)
    try:
        seen: list[object] = []
        write_atomically(tmp_path / "a.bin", lambda f: seen.append(signal.getsignal(15)))
        assert seen == [mine] and signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, previous)
    seen = []
    write_atomically(tmp_path / "a.bin", lambda f: seen.append(signal.getsignal(15)))
    assert seen[0] not in (signal.SIG_DFL, mine)  # ours, only while saving
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_the_temporary_file_is_locked_until_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cleaner running at any moment of a save finds the temporary file in use."""
    fcntl = pytest.importorskip("fcntl")
    path = tmp_path / "model.npz"
    verdicts: list[bool] = []

    def in_use(temporary: str | os.PathLike[str]) -> bool:
        with open(temporary, "rb") as other:
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            return False

    def probe(file: object) -> None:
        (name,) = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
        verdicts.append(in_use(tmp_path / name))

    real_replace = os.replace

    def replace_after_probe(source: str, target: str) -> None:
        verdicts.append(in_use(source))
        real_replace(source, target)

    monkeypatch.setattr(atomic_write.os, "replace", replace_after_probe)
    write_atomically(path, probe)
    assert verdicts == [True, True]
    assert not in_use(path)  # released once the save is done
