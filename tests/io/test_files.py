"""Every file tracegrad writes, one policy: whole or not at all, links followed, special files,
folders and read-only targets refused (and never opened), modes kept, leftovers cleaned.

The policy tests run once per writer (``write_file`` itself, ``nn.save``, ``Lesson.save``,
``Drawing.save`` and ``render``, ``write_idx``), so a writer that bypasses the policy fails
them. Everything happens inside tmp_path; ``/dev/null`` is only ever a target that must be
refused, and a guard fails the test before anything could replace it. Read-only checks use the
mode bits, so they hold whether the tests run as root or not.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import require_dot
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Value, draw_dot, lesson
from autograd.cli import main
from autograd.tools import files
from autograd.tools.files import write_file
from nn.data import read_idx, write_idx
from nn.io import load, save

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX files, modes and signals")
ROOT = Path(__file__).resolve().parents[2]


def _files(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def _state(value: float) -> dict[str, np.ndarray]:
    return {"w": np.full(3, float(value))}


def _graph(label: str = "y") -> Value:
    x = Value(2.0, "x")
    y = x * 3.0
    y.label = label
    return y


# --- the writers ---------------------------------------------------------------------------


class Writer:
    """One of tracegrad's writers: its file suffix, how it writes content number ``k``, and
    how to read that number back."""

    def __init__(
        self,
        name: str,
        suffix: str,
        write: Callable[[Path, int], object],
        written: Callable[[Path], int],
        needs_dot: bool = False,
    ) -> None:
        self.name, self.suffix, self.needs_dot = name, suffix, needs_dot
        self.write, self.written = write, written

    def path(self, folder: Path, stem: str = "out") -> Path:
        return folder / f"{stem}{self.suffix}"

    def __repr__(self) -> str:
        return self.name


def _label_number(path: Path) -> int:
    return int(re.findall(r"version_(\d+)", path.read_text(encoding="utf-8"))[0])


WRITERS = [
    Writer(
        "write_file",
        ".txt",
        lambda path, k: write_file(path, f"version_{k}"),
        _label_number,
    ),
    Writer(
        "nn.save npz", ".npz", lambda path, k: save(_state(k), path), lambda p: int(load(p)["w"][0])
    ),
    Writer(
        "nn.save safetensors",
        ".safetensors",
        lambda path, k: save(_state(k), path),
        lambda path: int(load(path)["w"][0]),
    ),
    Writer(
        "Lesson.save",
        ".html",
        lambda path, k: lesson(_graph(f"version_{k}")).save(path),
        _label_number,
        needs_dot=True,
    ),
    Writer(
        "Drawing.save",
        ".dot",
        lambda path, k: draw_dot(_graph(f"version_{k}")).save(path),
        _label_number,
    ),
    Writer(
        "Drawing.render",
        ".svg",
        lambda path, k: draw_dot(_graph(f"version_{k}")).render(path),
        _label_number,
        needs_dot=True,
    ),
    Writer(
        "write_idx",
        "-idx1-ubyte",
        lambda path, k: write_idx(path, [k, 0]),
        lambda path: int(read_idx(path)[0]),
    ),
]


@pytest.fixture(params=WRITERS, ids=repr)
def writer(request: pytest.FixtureRequest) -> Writer:
    chosen: Writer = request.param
    if chosen.needs_dot:
        require_dot()
    return chosen


def _unread(reader: int) -> bytes:
    """What a writer put into a FIFO we hold open for reading (without blocking)."""
    try:
        return os.read(reader, 1 << 16)
    except BlockingIOError:  # a writer holds it open, and wrote nothing
        return b""


@contextlib.contextmanager
def _never_replacing(path: str) -> Iterator[None]:
    """Fail, instead of renaming a file over ``path`` (a system file), should a refusal break."""
    real_replace = os.replace

    def guarded(source: object, target: object, **options: object) -> None:
        if os.path.realpath(os.fspath(target)) == os.path.realpath(path):  # type: ignore[arg-type]
            raise AssertionError(f"about to replace {path}")
        real_replace(source, target, **options)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "replace", guarded)
        yield


# --- the policy, for every writer ----------------------------------------------------------


def test_a_new_file_is_written_whole_and_nothing_else(tmp_path: Path, writer: Writer) -> None:
    path = writer.path(tmp_path)
    writer.write(path, 1)
    writer.write(path, 2)
    assert writer.written(path) == 2
    assert _files(tmp_path) == [path.name]


@posix_only
def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path, writer: Writer) -> None:
    real = writer.path(tmp_path / "store", "real")
    real.parent.mkdir()
    writer.write(real, 1)
    link = writer.path(tmp_path, "link")
    link.symlink_to(Path("store") / real.name)  # relative, as links often are
    writer.write(link, 2)
    assert link.is_symlink() and os.readlink(link) == os.path.join("store", real.name)
    assert writer.written(real) == 2
    # The temporary file went beside the real file, and nothing is left in either folder.
    assert _files(tmp_path) == sorted([link.name, "store"])
    assert _files(real.parent) == [real.name]


@posix_only
def test_a_fifo_is_refused_and_never_opened(tmp_path: Path, writer: Writer) -> None:
    """Opening a FIFO for writing blocks until a reader comes: rendering hung on one."""
    path = writer.path(tmp_path)
    os.mkfifo(path)
    # A reader of our own, so that a writer opening the FIFO would not hang the test: it
    # would write into the pipe, which the last assertion sees.
    reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        with pytest.raises(OSError, match=rf"{re.escape(str(path))} is a FIFO \(named pipe\)"):
            writer.write(path, 1)
        assert _unread(reader) == b"", f"{writer} wrote into the FIFO"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.lstat(path).st_mode) and _files(tmp_path) == [path.name]


@posix_only
def test_a_device_is_refused_and_left_alone(tmp_path: Path, writer: Writer) -> None:
    """As root, Lesson.save (so ``--html /dev/null``) renamed its file over the device node."""
    path = writer.path(tmp_path)
    try:  # a device node of our own, equal to /dev/null, so no system file is ever at risk
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError) as error:
        pytest.skip(f"creating a device node needs privileges: {error}")
    before = os.lstat(path)
    with pytest.raises(OSError, match=rf"{re.escape(str(path))} is a character device"):
        writer.write(path, 1)
    after = os.lstat(path)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert after.st_ino == before.st_ino and _files(tmp_path) == [path.name]
    link = writer.path(tmp_path, "to-null")
    link.symlink_to(path)
    with pytest.raises(OSError, match=r"to-null.* \(a symbolic link to .*\) is a character"):
        writer.write(link, 1)
    assert link.is_symlink() and os.lstat(path).st_ino == before.st_ino


@posix_only
def test_the_real_dev_null_is_refused_untouched() -> None:
    before = os.stat(os.devnull)
    with _never_replacing(os.devnull), pytest.raises(OSError, match=r"/dev/null is a character"):
        write_file(os.devnull, b"x", what="test")
    after = os.stat(os.devnull)
    assert (after.st_ino, after.st_rdev, after.st_mode) == (
        before.st_ino,
        before.st_rdev,
        before.st_mode,
    )


def test_a_folder_is_refused(tmp_path: Path, writer: Writer) -> None:
    folder = writer.path(tmp_path)
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match=rf"{re.escape(str(folder))} is a folder"):
        writer.write(folder, 1)
    assert _files(tmp_path) == [folder.name] and _files(folder) == []


@posix_only
def test_a_read_only_file_is_refused_and_kept(tmp_path: Path, writer: Writer) -> None:
    path = writer.path(tmp_path)
    writer.write(path, 1)
    os.chmod(path, 0o444)
    with pytest.raises(PermissionError, match=rf"cannot write {re.escape(str(path))}: the file"):
        writer.write(path, 2)
    assert writer.written(path) == 1 and stat.S_IMODE(os.stat(path).st_mode) == 0o444
    assert _files(tmp_path) == [path.name]
    os.chmod(path, 0o644)  # writable again: writing works again
    writer.write(path, 2)
    assert writer.written(path) == 2


@posix_only
def test_a_read_only_folder_is_refused(tmp_path: Path, writer: Writer) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    path = writer.path(folder)
    writer.write(path, 1)
    os.chmod(folder, 0o555)
    try:
        for target in (path, writer.path(folder, "new")):
            with pytest.raises(PermissionError) as caught:
                writer.write(target, 2)
            message = str(caught.value)
            assert f"cannot write {target}: the folder {folder} is read-only" in message
            assert ".tmp" not in message
        assert _files(folder) == [path.name] and writer.written(path) == 1
    finally:
        os.chmod(folder, 0o755)


@posix_only
def test_a_replaced_file_keeps_its_mode_and_a_new_one_takes_the_umask(
    tmp_path: Path, writer: Writer
) -> None:
    """Lesson.save wrote mode 0600 over a 0644 page: students could not read it."""
    path = writer.path(tmp_path)
    previous = os.umask(0o027)
    try:
        writer.write(path, 1)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o640  # 0o666 less the umask
        for mode in (0o644, 0o604, 0o660, 0o600):
            os.chmod(path, mode)
            writer.write(path, 2)
            assert stat.S_IMODE(os.stat(path).st_mode) == mode
    finally:
        os.umask(previous)
    assert writer.written(path) == 2


# --- links, sockets, owners ---------------------------------------------------------------


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


@posix_only
def test_a_socket_is_refused_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "s.npz"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
    except OSError as error:  # a tmp_path too long for a socket address
        pytest.skip(f"cannot bind a socket here: {error}")
    try:
        with pytest.raises(OSError, match=rf"nn.save: {path} is a socket, not a regular file"):
            save(_state(1.0), path)
        assert stat.S_ISSOCK(os.lstat(path).st_mode) and _files(tmp_path) == ["s.npz"]
    finally:
        server.close()


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


def test_an_error_creating_the_temporary_file_names_the_users_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever stops the temporary file (a full disk, a quota, a read-only file system)."""
    real_open = os.open

    def refuse_temporary(path: object, flags: int, *args: object) -> int:
        if str(path).endswith(".tmp"):
            raise OSError(30, "Read-only file system", str(path))
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(files.os, "open", refuse_temporary)
    with pytest.raises(OSError, match=r"cannot write .*model.npz: cannot create a file in") as e:
        save(_state(1.0), tmp_path / "model.npz")
    assert e.value.errno == 30 and ".tmp" not in str(e.value)


def test_content_may_be_bytes_text_or_a_function_writing_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    assert write_file(path, b"bytes") == path and path.read_bytes() == b"bytes"
    write_file(str(path), "text é\n")
    assert path.read_bytes() == "text é\n".encode()
    write_file(path, lambda file: file.write(b"streamed"))
    assert path.read_bytes() == b"streamed"
    with pytest.raises(FileNotFoundError, match=r"test: cannot write .*: the folder .* not exist"):
        write_file(tmp_path / "no" / "a.txt", b"x", what="test")


# --- names near the limit -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["x" * 251 + ".npz", "é" * 123 + "ab.npz", "ü" * 122 + "ab.npz"])
def test_a_name_near_255_bytes_works(tmp_path: Path, name: str) -> None:
    assert 250 <= len(os.fsencode(name)) <= 255
    save(_state(1.0), tmp_path / name)
    save(_state(2.0), tmp_path / name)
    assert _files(tmp_path) == [name]
    assert load(tmp_path / name)["w"].tolist() == [2.0, 2.0, 2.0]


def test_a_long_names_temporary_file_is_shortened_and_still_cleaned_up(tmp_path: Path) -> None:
    name, other = "y" * 250 + ".npz", "y" * 250 + ".npy"
    seen: list[str] = []

    def look(file: object) -> None:
        seen.extend(n for n in os.listdir(tmp_path) if n != name)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_file(tmp_path / name, look)
    (temporary,) = seen
    assert len(os.fsencode(temporary)) <= 255 and temporary.endswith(".tmp")
    assert temporary.startswith(".yyyy")  # named after the target, shortened, with a hash
    assert _files(tmp_path) == []
    (tmp_path / temporary).write_bytes(b"as a hard kill would leave it")
    write_file(tmp_path / other, b"1")  # another name's write leaves it alone
    assert temporary in _files(tmp_path)
    write_file(tmp_path / name, b"2")  # its own name's write removes it
    assert _files(tmp_path) == sorted([name, other])


# --- leftovers: signals, and temporary files of killed saves ------------------------------

_SLOW_SAVE = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from nn import io as nn_io

    real_write = nn_io.npy_format.write_array
    def slow_write(entry, array, **kwargs):
        real_write(entry, array, **kwargs)
        print("writing", flush=True)   # the temporary file exists and holds one entry
        time.sleep(60)

    nn_io.npy_format.write_array = slow_write
    nn_io.save({"w": np.zeros(3), "b": np.zeros(2)}, sys.argv[1])
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
    assert load(path)["w"].tolist() == [1.0, 1.0, 1.0]  # the old file, whole
    (leftover,) = [name for name in _files(tmp_path) if name != "model.npz"]
    assert re.fullmatch(r"\.model\.npz\.[0-9a-f]{8}\.tmp", leftover)  # named after the target
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
        write_file(tmp_path / "a.bin", lambda f: seen.append(signal.getsignal(15)))
        assert seen == [mine] and signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, previous)
    seen = []
    write_file(tmp_path / "a.bin", lambda f: seen.append(signal.getsignal(15)))
    assert seen[0] not in (signal.SIG_DFL, mine)  # ours, only while writing
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

    monkeypatch.setattr(files.os, "replace", replace_after_probe)
    write_file(path, probe)
    assert verdicts == [True, True]
    assert not in_use(path)  # released once the write is done


# --- the command line: one line and exit status 2 -------------------------------------------


def _refused(arguments: list[str], capsys: pytest.CaptureFixture[str], named: Path) -> str:
    assert main(["explain", "x*w", "x=2", "w=3", *arguments]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # checked before anything is narrated
    assert len(captured.err.splitlines()) == 1 and captured.err.startswith("tracegrad explain: ")
    assert str(named) in captured.err and "Traceback" not in captured.err
    return captured.err


def test_cli_outputs_that_are_folders_or_files_in_the_way_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--html FOLDER was an IsADirectoryError traceback, --steps FILE a FileExistsError one."""
    assert "is a folder" in _refused(["--html", str(tmp_path)], capsys, tmp_path)
    pictures = tmp_path / "pictures.svg"
    pictures.mkdir()
    assert "is a folder" in _refused(["--graph", str(pictures)], capsys, pictures)
    notes = tmp_path / "notes.txt"
    notes.write_text("mine")
    assert "is not a folder" in _refused(["--steps", str(notes)], capsys, notes)
    assert notes.read_text() == "mine" and _files(tmp_path) == ["notes.txt", "pictures.svg"]


@posix_only
def test_cli_outputs_that_are_special_or_read_only_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipe = tmp_path / "pipe.svg"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)  # so that a writer would not hang
    try:
        for option in ("--html", "--graph"):
            assert "is a FIFO" in _refused([option, str(pipe)], capsys, pipe)
        assert _unread(reader) == b""
    finally:
        os.close(reader)
    assert "is not a folder" in _refused(["--steps", str(pipe)], capsys, pipe)
    frozen = tmp_path / "frozen.html"
    frozen.write_text("old page")
    os.chmod(frozen, 0o444)
    assert "read-only" in _refused(["--html", str(frozen)], capsys, frozen)
    assert frozen.read_text() == "old page" and stat.S_ISFIFO(os.lstat(pipe).st_mode)
    with _never_replacing(os.devnull):
        assert "character device" in _refused(["--html", os.devnull], capsys, Path(os.devnull))
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


@posix_only
def test_cli_steps_into_a_folder_holding_a_fifo_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipe = tmp_path / "step_00.dot"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)  # so that a writer would not hang
    arguments = ["explain", "x*w", "x=2", "w=3", "--steps", str(tmp_path), "--steps-format", "dot"]
    try:
        assert main(arguments) == 2
        assert _unread(reader) == b""
    finally:
        os.close(reader)
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and f"{pipe} is a FIFO" in err
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)


# --- the family: any sequence of writes over any kind of target -----------------------------

KINDS = (
    "missing",
    "file",
    "read-only file",
    "folder",
    "fifo",
    "link",
    "dangling link",
    "link to fifo",
    "read-only folder",
)


def _make(folder: Path, kind: str, mode: int) -> Path:
    """A fresh target of ``kind`` in ``folder``; returns the path a writer is given."""
    for child in folder.iterdir():  # empty the folder, read-only folders included
        if child.is_dir() and not child.is_symlink():
            os.chmod(child, 0o755)
            for inner in child.iterdir():
                inner.unlink()
            child.rmdir()
        else:
            child.unlink()
    target = folder / "target"
    if kind in ("file", "read-only file", "link"):
        real = folder / "real" if kind == "link" else target
        real.write_bytes(b"old")
        os.chmod(real, 0o444 if kind == "read-only file" else mode)
    elif kind == "folder":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "link to fifo":
        os.mkfifo(folder / "pipe")
    elif kind == "read-only folder":
        (folder / "locked").mkdir(mode=0o555)
        os.chmod(folder / "locked", 0o555)
        return folder / "locked" / "target"
    links = {"link": "real", "dangling link": "new", "link to fifo": "pipe"}
    if kind in links:
        target.symlink_to(links[kind])
    return target


def _snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    seen = {}
    for child in sorted(folder.rglob("*")):
        status = os.lstat(child)
        content = child.read_bytes() if stat.S_ISREG(status.st_mode) else b""
        seen[str(child.relative_to(folder))] = (status.st_mode, status.st_ino, content)
    return seen


@posix_only
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(KINDS),
            st.sampled_from([0o600, 0o640, 0o644, 0o664, 0o606]),
            st.binary(max_size=40),
            st.booleans(),  # keep what the previous write left, or make a fresh target
        ),
        min_size=1,
        max_size=6,
    ),
    umask=st.sampled_from([0o022, 0o077, 0o002, 0o027]),
)
def test_every_write_replaces_a_regular_file_whole_or_refuses_and_changes_nothing(
    steps: list[tuple[str, int, bytes, bool]], umask: int
) -> None:
    previous = os.umask(umask)
    try:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            path = _make(folder, "missing", 0o644)
            for kind, mode, content, keep in steps:
                if not keep:
                    path = _make(folder, kind, mode)
                destination = Path(os.path.realpath(path)) if path.is_symlink() else path
                before = _snapshot(folder)
                exists = os.path.lexists(destination)
                writable = bool(os.stat(destination.parent).st_mode & 0o222) and (
                    not exists
                    or destination.is_file()
                    and bool(os.stat(destination).st_mode & 0o222)
                )
                if not writable:
                    with pytest.raises(OSError) as refused:
                        write_file(path, content)
                    assert str(path) in str(refused.value)
                    assert _snapshot(folder) == before
                    continue
                old_mode = stat.S_IMODE(os.stat(destination).st_mode) if exists else None
                was_link = path.is_symlink()
                write_file(path, content)
                assert destination.read_bytes() == content and path.is_symlink() == was_link
                new_mode = 0o666 & ~umask if old_mode is None else old_mode
                assert stat.S_IMODE(os.stat(destination).st_mode) == new_mode
                after = _snapshot(folder)
                assert {n for n in after if n.endswith(".tmp")} == set()
                assert set(after) - set(before) <= {str(destination.relative_to(folder))}
            _make(folder, "missing", 0o644)  # read-only folders can be removed again
    finally:
        os.umask(previous)


def test_nn_save_and_load_keep_working_under_the_old_names() -> None:
    from nn import serialization

    assert serialization.save is nn.save is save and serialization.load is nn.load is load
    assert serialization.StateDictError is nn.StateDictError
