"""Atomic file writes, one helper for checkpoints, results and datasets.

:func:`atomic_path` hands out a temporary path in the destination folder; the caller writes the
file there; on success it is fsync'ed and ``os.replace``'d onto the destination, on failure it
is removed. So a reader sees either the previous complete file or the new one, never half a
file. The temporary name is ``.<name>.<pid>.<random>.tmp``: a process killed by SIGKILL cannot
remove its own, so every new write of the same destination removes the temporary files of that
destination whose writing process no longer runs, and says so.

A full disk (``ENOSPC``) or an exhausted quota (``EDQUOT``) while writing, however deep in the
writer it surfaces (h5py, equinox's serialisation), becomes one :class:`DiskFullError`,
"no space left on device while writing PATH", naming the destination: :func:`writing` does it
for any block of code that writes a file, and ``atomic_path`` uses it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)


class DiskFullError(OSError):
    """The disk (or the user's quota) filled up while writing ``filename``."""

    def __init__(self, code: int, filename: str | os.PathLike):
        super().__init__(code, os.strerror(code), str(filename))

    def __str__(self) -> str:
        reason = "no space left on device" if self.errno == errno.ENOSPC else "disk quota exceeded"
        return f"{reason} while writing {self.filename}"


def disk_full_cause(error: BaseException) -> OSError | None:
    """The ``ENOSPC``/``EDQUOT`` error in ``error``'s chain of causes (writers wrap it), else None.

    h5py reports the C library's failure as an ``OSError`` without ``errno``, naming it in its text."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError):
            if error.errno in DISK_FULL_ERRNOS:
                return error
            text = str(error)
            for code in DISK_FULL_ERRNOS:
                if error.errno is None and os.strerror(code) in text:
                    return OSError(code, os.strerror(code), error.filename)
        error = error.__cause__ or error.__context__
    return None


def disk_full_message(error: BaseException) -> str | None:
    """The one-line message of a full disk or quota in ``error``'s chain, else None."""
    if isinstance(error, DiskFullError):
        return str(error)
    cause = disk_full_cause(error)
    return None if cause is None else str(DiskFullError(cause.errno, cause.filename or "the output"))


@contextlib.contextmanager
def writing(path: str | os.PathLike) -> Iterator[None]:
    """Turn a full disk or quota inside the block into :class:`DiskFullError` naming ``path``: the
    file being written, or a folder being written into (then the file the system named, if any)."""
    try:
        yield
    except DiskFullError:
        raise
    except Exception as e:
        cause = disk_full_cause(e)
        if cause is None:
            raise
        name = (cause.filename or path) if Path(path).is_dir() else path
        raise DiskFullError(cause.errno, name) from e


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def remove_stale_temporaries(path: Path, *, log: Callable[[str], None] | None = None) -> list[Path]:
    """Remove ``.<name>.<pid>.*.tmp`` files of ``path`` left by processes that no longer run."""
    path = Path(path)
    removed = []
    if not path.parent.is_dir():
        return removed
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        parts = tmp.name[len(path.name) + 2 :].split(".")
        if not parts or not parts[0].isdigit():
            continue
        pid = int(parts[0])
        if pid == os.getpid() or _pid_alive(pid):
            continue
        try:
            size = tmp.stat().st_size
            tmp.unlink()
        except FileNotFoundError:
            continue
        removed.append(tmp)
        message = (
            f"removed {tmp} ({size / 2**20:.1f} MiB), the temporary file of an interrupted earlier "
            f"write of {path} (process {pid} no longer runs)"
        )
        (log or (lambda m: print(m, file=sys.stderr)))(message)
    return removed


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, *, mode: int | None = 0o666) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; publish it as ``path`` if the block succeeds.

    ``mode`` (masked by the umask) is applied before publishing: ``mkstemp`` creates 0600.
    """
    path = Path(path)
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        try:
            yield Path(tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            if mode is not None:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, mode & ~umask)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise


def atomic_write_bytes(path: str | os.PathLike, write: Callable) -> None:
    """Write via ``write(fileobj)`` to a temporary file in the same folder, then rename."""
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        write(f)
        f.flush()
