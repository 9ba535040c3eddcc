"""How every Postgres pool of ours connects: checked, time-limited, and recovering by itself.

A server restart (a failover, a minor upgrade, a managed database's maintenance window) closes
every connection a pool holds. Without a check the pool hands them out one by one and each
fails its caller (2 turns of 3 failed after one restart). So every pool here, the tiers' and
the checkpointers' (sync and async), is built from :func:`pool_kwargs`:

- ``check`` (:func:`check_connection`) runs before a connection is handed out; a dead one is
  discarded and replaced, so nothing that starts after the server is back sees an error. It
  costs no round trip while the connection's socket is quiet: a server that restarts, shuts
  down or terminates the backend sends an error and closes the socket, which makes it
  readable, and then (or after ``CHECK_IDLE`` seconds unused) psycopg_pool's own check, an
  empty query, decides. An empty query on every loan was a third of a turn's round trips;
- ``connect_timeout`` and a pool ``timeout``: a server that is down makes a caller wait a few
  seconds (enough for a restart), then fail with a clear error instead of hanging;
- ``statement_timeout`` (sent in the startup ``options``, merged with the URL's own, so a
  schema's ``search_path`` is kept): a statement stuck behind a lock fails after a bound;
- the pool's reconnection with backoff (``reconnect_timeout``) brings the pool back by itself.

:func:`is_transient` tells a lost connection (worth one retry on a fresh connection) from an
error of the statement itself.
"""

from __future__ import annotations

import select
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")

#: Seconds to establish a connection (a dead host must not hang a turn).
CONNECT_TIMEOUT = 5
#: Seconds a caller waits for a pooled connection while the server is away (a restart takes
#: one or two); past that the operation fails with MemoryStoreUnavailable.
POOL_TIMEOUT = 15.0
#: Milliseconds one statement may run (ours take milliseconds; an index build has its own).
STATEMENT_TIMEOUT_MS = 30_000
#: Seconds the pool keeps reconnecting in the background (backoff 1 s, 2 s, ...) before
#: giving up; the next request starts a new attempt at once. Short, so that after a long
#: outage a server that is back is found within seconds, not after a long backoff step.
RECONNECT_TIMEOUT = 3.0
#: Seconds since a connection was last lent after which it is checked by a query even when its
#: socket is quiet (a peer that vanished without closing the connection sends nothing).
CHECK_IDLE = 30.0

_lent: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()


def _seems_alive(conn: Any) -> bool:
    """Whether a pooled connection may be lent without a round trip: it is open, was lent
    less than ``CHECK_IDLE`` s ago, and its socket has nothing to read. An idle connection
    receives nothing unless the server ends it (we use no LISTEN): a restart, a shutdown or
    ``pg_terminate_backend`` sends an error and closes the socket, both make it readable."""
    now = time.monotonic()
    last, _lent[conn] = _lent.get(conn), now
    if last is None or now - last > CHECK_IDLE or conn.closed or conn.broken:
        return False
    try:
        poller = select.poll()  # not select.select: it refuses descriptors above 1023
        poller.register(conn.pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
        return not poller.poll(0)
    except Exception:  # no socket (closed), no poll on this platform: check by a query
        return False


def check_connection(conn: Any) -> None:
    """The pools' ``check``: none while the socket is quiet, else an empty query (raises
    if the connection is dead, and the pool replaces it)."""
    from psycopg_pool import ConnectionPool

    if not _seems_alive(conn):
        ConnectionPool.check_connection(conn)


async def acheck_connection(conn: Any) -> None:
    """:func:`check_connection` for the async pools."""
    from psycopg_pool import AsyncConnectionPool

    if not _seems_alive(conn):
        await AsyncConnectionPool.check_connection(conn)


def connection_kwargs(
    url: str, *, statement_timeout_ms: int = STATEMENT_TIMEOUT_MS, **extra: Any
) -> dict[str, Any]:
    """Arguments for ``psycopg.connect(url, **...)`` or a pool's ``kwargs``: the connect
    timeout, and ``statement_timeout`` appended to the URL's own ``options`` (a keyword
    ``options`` replaces the URL's, which would lose a ``search_path`` set there). A URL that
    sets either (``?connect_timeout=2&options=-c%20statement_timeout%3D5000``) keeps its own."""
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(url)
    options = str(info.get("options") or "")
    if "statement_timeout" not in options:  # one set in the URL is the operator's choice
        options = f"{options} -c statement_timeout={int(statement_timeout_ms)}".strip()
    connect_timeout = info.get("connect_timeout") or CONNECT_TIMEOUT
    return {"connect_timeout": connect_timeout, "options": options, **extra}


def pool_kwargs(
    url: str,
    *,
    name: str,
    max_size: int,
    kwargs: dict[str, Any] | None = None,
    asynchronous: bool = False,
    statement_timeout_ms: int = STATEMENT_TIMEOUT_MS,
    timeout: float = POOL_TIMEOUT,
    **extra: Any,
) -> dict[str, Any]:
    """Arguments for ``ConnectionPool(**...)`` (``AsyncConnectionPool`` if ``asynchronous``):
    a checked, time-limited, reconnecting pool; ``kwargs`` are the connections' own
    (autocommit, row factory, ...), ``extra`` more pool arguments (``configure``, ``open``)."""
    return {
        "conninfo": url,
        "min_size": 1,
        "max_size": max(1, max_size),
        "kwargs": connection_kwargs(
            url, statement_timeout_ms=statement_timeout_ms, **(kwargs or {})
        ),
        "check": acheck_connection if asynchronous else check_connection,
        "timeout": timeout,
        "reconnect_timeout": RECONNECT_TIMEOUT,
        "name": name,
        **extra,
    }


def getconn(pool: Any, timeout: float = POOL_TIMEOUT) -> Any:
    """``pool.getconn``, asking again every few seconds until ``timeout``: a request starts a
    connection attempt when the pool's background one has given up, so a caller waiting
    through an outage gets a connection soon after the server is back."""
    from psycopg_pool import PoolTimeout

    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        try:
            return pool.getconn(timeout=max(0.05, min(left, RECONNECT_TIMEOUT + 0.5)))
        except PoolTimeout:
            if time.monotonic() >= deadline - 0.05:
                raise


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` is the connection failing, not the statement: the server went away
    (a restart, a terminated backend, a crash), refused a new client (too many connections,
    starting up), or the pool found none in time. One retry on a fresh connection may pass."""
    import psycopg
    from psycopg import errors

    if isinstance(exc, errors.QueryCanceled | errors.LockNotAvailable):
        return False  # the statement was too slow: running it again would be as slow
    if isinstance(
        exc,
        errors.AdminShutdown
        | errors.CrashShutdown
        | errors.CannotConnectNow
        | errors.TooManyConnections
        | errors.ConnectionFailure,
    ):
        return True
    return isinstance(exc, psycopg.OperationalError) and type(exc) in (
        psycopg.OperationalError,
        *_pool_errors(),
    )


def _pool_errors() -> tuple[type[BaseException], ...]:
    from psycopg_pool import PoolTimeout, TooManyRequests

    return (PoolTimeout, TooManyRequests)


def describe(exc: BaseException) -> str:
    """The reason on one line (a server's message and its hint), or the error's type."""
    text = " ".join(line.strip() for line in str(exc).strip().splitlines())
    return text or type(exc).__name__


def retry_once(call: Callable[[], T], unavailable: Callable[[BaseException], Exception]) -> T:
    """``call()``, run once more if the connection failed (the pool's check then hands out a
    live connection, waiting for the server up to the pool timeout); a second transient
    failure becomes ``unavailable(exc)``. Only for calls idempotent by key."""
    try:
        return call()
    except Exception as exc:
        if not is_transient(exc):
            raise
    try:
        return call()
    except Exception as exc:
        if is_transient(exc):
            raise unavailable(exc) from exc
        raise


async def aretry_once(
    call: Callable[[], Awaitable[T]], unavailable: Callable[[BaseException], Exception]
) -> T:
    """:func:`retry_once` for a coroutine function (the async pools)."""
    try:
        return await call()
    except Exception as exc:
        if not is_transient(exc):
            raise
    try:
        return await call()
    except Exception as exc:
        if is_transient(exc):
            raise unavailable(exc) from exc
        raise
