"""The worker's job: one work's bytes in, its books' bytes (or a one-line error) out.

:func:`render_job` is what local worker processes and Dask workers run alike.  Options that
name files (``--css``, ``--template-dir``…) travel to remote workers as a bundle of bytes
(:func:`pack_options`), unpacked once per worker process.
"""

from __future__ import annotations

import atexit
import dataclasses
import hashlib
import shutil
import tempfile
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fic2book.backends import backend_for
from fic2book.errors import Fic2BookError, InputError
from fic2book.limits import check_data_size
from fic2book.nametemplate import name_fields
from fic2book.options import RenderOptions
from fic2book.pipeline import read_work_bytes, render_bytes
from fic2book.sandbox_resident import ResidentSandbox

if TYPE_CHECKING:
    from fic2book.batch.works import Before, Update


@dataclass(frozen=True)
class Rendered:
    """What a worker sends back: the books' bytes by format, or a one-line error."""

    title: str = ""
    authors: tuple[str, ...] = ()
    #: The work's ``--name`` fields (:func:`fic2book.nametemplate.name_fields`).
    fields: tuple[tuple[str, Any], ...] = ()
    books: tuple[tuple[str, bytes], ...] = ()
    error: str | None = None
    detail: str | None = None
    seconds: float = 0.0
    #: The work's :func:`~fic2book.batch.works.work_key`, ``None`` when it names no ID or URL.
    work_key: str | None = None
    #: The books' :func:`~fic2book.batch.works.encode_state`, when the work has a key.
    state: str | None = None
    #: Set when the books update the previous book of the same work (see :func:`render_job`).
    update: Update | None = None


@dataclass(frozen=True)
class Resources:
    """Options whose files (``--css``, ``--template-dir``…) travel with them to remote workers.

    Every :class:`Path` in the options is replaced by a path relative to a bundle folder,
    and ``files`` holds that folder's contents; a worker recreates it once per process.
    """

    options: RenderOptions
    files: tuple[tuple[str, bytes], ...]
    digest: str


def one_line(err: BaseException) -> str:
    """An exception's message on one line (its type's name if it has none)."""
    return " ".join(str(err).split()) or type(err).__name__


def render_job(
    data: bytes,
    name: str,
    from_format: str | None,
    formats: tuple[str, ...],
    options: RenderOptions | Resources,
    previous: Before | None = None,
) -> Rendered:
    """Parse one work from its bytes and render it in each format; never raises for bad input.

    This is the unit of work sent to local worker processes and to Dask workers alike.  With
    ``previous``, the book built before (:class:`~fic2book.batch.works.Before`), a newer
    download of the same work has its new and changed chapters marked and the book's update
    log extended, as ``fic2book update`` does (:func:`fic2book.batch.works.updated_work`);
    another work is rendered as new.
    """
    start = time.perf_counter()
    try:
        if isinstance(options, Resources):
            options = _unpack(options)
        check_data_size(data, name, options.max_input_size)
        # Reading and rendering run in this worker's sandboxed child under --timeout and
        # --max-memory; the child is kept for the next work, with what it has cached.
        fields, books, key, state, update = _SANDBOX.run(
            _render,
            data,
            name,
            from_format,
            formats,
            options,
            previous,
            timeout=options.timeout,
            max_memory=options.max_memory,
            what=f"converting {name}",
        )
    except Fic2BookError as err:
        return Rendered(error=f"{err.label}: {one_line(err)}", seconds=time.perf_counter() - start)
    except Exception as err:
        # A bug in one work must not stop a batch of thousands; the traceback goes to --debug.
        return Rendered(
            error=f"internal error: {type(err).__name__}: {one_line(err)}",
            detail=traceback.format_exc(),
            seconds=time.perf_counter() - start,
        )
    named = dict(fields)
    return Rendered(
        title=named["title"] or "",
        authors=named["authors_list"],
        fields=fields,
        books=books,
        seconds=time.perf_counter() - start,
        work_key=key,
        state=state,
        update=update,
    )


#: This worker process's sandboxed child, kept from work to work (see :func:`render_job`).
_SANDBOX = ResidentSandbox()


def _render(
    data: bytes,
    name: str,
    from_format: str | None,
    formats: tuple[str, ...],
    options: RenderOptions,
    previous: Before | None,
) -> tuple[
    tuple[tuple[str, Any], ...],
    tuple[tuple[str, bytes], ...],
    str | None,
    str | None,
    Update | None,
]:
    """Read one work and render each format: the job's part that runs under the limits."""
    from fic2book.batch.works import book_state, updated_work, work_key

    work = read_work_bytes(data, name, from_format)
    key = work_key(work)
    update = None
    if previous is not None and key is not None:
        found = updated_work(previous, work, options, name)
        if found is not None:
            work, update = found
    books = tuple(
        (fmt, render_bytes(backend_for(fmt), work, options)) for fmt in dict.fromkeys(formats)
    )
    state = None
    if key is not None:
        # The state is read from the EPUB rendering, also for a run that makes no EPUB.
        epub = dict(books).get("epub") or render_bytes(backend_for("epub"), work, options)
        state = book_state(epub, name, work)
    return tuple(name_fields(work).items()), books, key, state, update


def path_fields(options: RenderOptions) -> Iterator[tuple[str, Path | tuple[Path, ...]]]:
    """The option fields that name files or folders (found by value, so new ones count)."""
    for spec in dataclasses.fields(options):
        value = getattr(options, spec.name)
        is_paths = isinstance(value, tuple) and value and all(isinstance(v, Path) for v in value)
        if isinstance(value, Path) or is_paths:
            yield spec.name, value


def files_under(path: Path) -> list[Path]:
    """Every file under the folder ``path``, sorted (a bundle's and a fingerprint's order)."""
    return sorted(p for p in path.rglob("*") if p.is_file())


def pack_options(options: RenderOptions) -> Resources:
    """Bundle the files the options name, for workers that cannot see this machine's files."""
    files: list[tuple[str, bytes]] = []
    changes: dict[str, Any] = {}
    slots = iter(range(1_000_000))

    def pack(path: Path) -> Path:
        slot = Path(f"r{next(slots)}")
        try:
            if path.is_dir():
                for sub in files_under(path):
                    files.append(((slot / sub.relative_to(path)).as_posix(), sub.read_bytes()))
                files.append(((slot / ".keep").as_posix(), b""))
                return slot
            files.append(((slot / path.name).as_posix(), path.read_bytes()))
        except OSError as err:
            raise InputError(f"{err.filename or path}: {err.strerror or err}") from err
        return slot / path.name

    for name, value in path_fields(options):
        changes[name] = pack(value) if isinstance(value, Path) else tuple(map(pack, value))
    digest = hashlib.sha256()
    for rel, data in files:
        digest.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
    return Resources(dataclasses.replace(options, **changes), tuple(files), digest.hexdigest())


#: Bundles already unpacked in this worker process, by digest.
_UNPACKED: dict[str, RenderOptions] = {}


def _unpack(resources: Resources) -> RenderOptions:
    cached = _UNPACKED.get(resources.digest)
    if cached is not None:
        return cached
    folder = Path(tempfile.mkdtemp(prefix="fic2book-resources-"))
    atexit.register(shutil.rmtree, folder, True)
    for rel, data in resources.files:
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    changes: dict[str, Any] = {}
    for name, value in path_fields(resources.options):
        changes[name] = (
            folder / value if isinstance(value, Path) else tuple(folder / v for v in value)
        )
    options = dataclasses.replace(resources.options, **changes)
    _UNPACKED[resources.digest] = options
    return options
