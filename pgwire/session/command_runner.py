"""The session's answers to utility statements: SET/RESET/SHOW, transaction control
(BEGIN, COMMIT, ROLLBACK, savepoints) on read-only work, DISCARD, cursors
(DECLARE/FETCH/MOVE/CLOSE) and DEALLOCATE. Tags and notices are PostgreSQL's."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

from pgwire.encoding.copy import COPY_DONE, copy_out_response, encode_copy_rows, header_line
from pgwire.encoding.data_rows import ResultColumns
from pgwire.protocol.errors import (
    DuplicateCursor,
    InvalidCursorName,
    InvalidStatementName,
    NoActiveTransaction,
    PgError,
    SyntaxError_,
)
from pgwire.protocol.messages import TransactionStatus
from pgwire.session.command_parser import (
    Begin,
    CloseCursor,
    Command,
    Commit,
    CopyTo,
    Deallocate,
    DeclareCursor,
    Discard,
    FetchCursor,
    NoOp,
    Release,
    ResetParameter,
    Rollback,
    RollbackTo,
    Savepoint,
    SetParameter,
    ShowParameter,
)
from pgwire.session.executor import Executor, Portal, Sink
from pgwire.session.preparation import Prepared, Route, prepare
from pgwire.session.results import OpenResult
from pgwire.session.setting_queries import show_table
from pgwire.session.settings import SessionSettings


class Session(Protocol):
    """What a utility command reads and changes of the session running it (implemented by
    `pgwire.session.machine.Session`, which calls `run_command`)."""

    settings: SessionSettings
    executor: Executor
    sink: Sink
    status: TransactionStatus
    statements: dict[str, Prepared]
    portals: dict[str, Portal]
    savepoints: list[str]

    def complete(self, tag: str) -> None: ...

    def warn(self, sqlstate: str, message: str) -> None: ...

    def end_transaction(self) -> None: ...

    def close_portals(self, keep: Portal | None = None) -> None: ...


#: commands a failed transaction block still accepts
ALLOWED_WHEN_FAILED = (Rollback, RollbackTo, Commit)


def run_command(session: Session, command: Command, portal: Portal, send_description: bool) -> None:
    """Answer `command` (RowDescription when asked and it returns rows, then its rows and
    CommandComplete). Raises PgError subclasses like PostgreSQL would."""
    _RUNNERS[type(command)](session, command, portal, send_description)


def command_columns(
    session: Session, command: Command | None, formats: tuple[int, ...]
) -> ResultColumns | None:
    """What Describe says about a command: SHOW and FETCH return rows, others none."""
    if isinstance(command, ShowParameter):
        return OpenResult.from_table(show_table(session.settings, command.name)).columns(formats)
    if isinstance(command, FetchCursor) and not command.is_move:
        cursor = _cursor(session, command.name)
        return session.executor.columns(cursor, session.executor.open(cursor))
    return None


def _set(session: Session, command: SetParameter, portal: Portal, described: bool) -> None:
    if command.value is None:
        session.settings.reset(command.name)
    else:
        session.settings.set(command.name, command.value)
    session.complete("SET")


def _reset(session: Session, command: ResetParameter, portal: Portal, described: bool) -> None:
    if command.name is None:
        session.settings.reset_all()
    else:
        session.settings.reset(command.name)
    session.complete("RESET")


def _show(session: Session, command: ShowParameter, portal: Portal, described: bool) -> None:
    result = OpenResult.from_table(show_table(session.settings, command.name))
    columns = session.executor.columns(portal, result)
    if described:
        session.sink.write(columns.row_description)
    session.executor.send_rows(result, columns, None)
    session.complete("SHOW")


def _begin(session: Session, command: Begin, portal: Portal, described: bool) -> None:
    if session.status != TransactionStatus.IDLE:
        session.warn("25001", "there is already a transaction in progress")
    else:
        session.status = TransactionStatus.IN_BLOCK
    session.complete("BEGIN")


def _commit(session: Session, command: Commit, portal: Portal, described: bool) -> None:
    was_failed = session.status == TransactionStatus.FAILED
    if session.status == TransactionStatus.IDLE:
        session.warn("25P01", "there is no transaction in progress")
    session.end_transaction()
    session.complete("ROLLBACK" if was_failed else "COMMIT")


def _rollback(session: Session, command: Rollback, portal: Portal, described: bool) -> None:
    if session.status == TransactionStatus.IDLE:
        session.warn("25P01", "there is no transaction in progress")
    session.end_transaction()
    session.complete("ROLLBACK")


def _savepoint(session: Session, command: Savepoint, portal: Portal, described: bool) -> None:
    if session.status == TransactionStatus.IDLE:
        raise NoActiveTransaction("SAVEPOINT can only be used in transaction blocks")
    session.savepoints.append(command.name)
    session.complete("SAVEPOINT")


def _release(session: Session, command: Release, portal: Portal, described: bool) -> None:
    del session.savepoints[_savepoint_index(session, command.name, "RELEASE SAVEPOINT") :]
    session.complete("RELEASE")


def _rollback_to(session: Session, command: RollbackTo, portal: Portal, described: bool) -> None:
    index = _savepoint_index(session, command.name, "ROLLBACK TO SAVEPOINT")
    del session.savepoints[index + 1 :]
    # nothing was written, so rolling back to a savepoint just clears the failure
    session.status = TransactionStatus.IN_BLOCK
    session.complete("ROLLBACK")


def _savepoint_index(session: Session, name: str, verb: str) -> int:
    if session.status == TransactionStatus.IDLE:
        raise NoActiveTransaction(f"{verb} can only be used in transaction blocks")
    for index in range(len(session.savepoints) - 1, -1, -1):
        if session.savepoints[index] == name:
            return index
    raise PgError(f'savepoint "{name}" does not exist', sqlstate="3B001")


def _discard(session: Session, command: Discard, portal: Portal, described: bool) -> None:
    if command.what == "all" and session.status != TransactionStatus.IDLE:
        raise PgError("DISCARD ALL cannot run inside a transaction block", sqlstate="25001")
    if command.what in ("all", "temp"):
        session.executor.temp_tables.drop_all()
    if command.what == "all":
        session.close_portals(keep=portal)
        session.statements.clear()
        session.settings.reset_all()
    session.complete(f"DISCARD {command.what.upper()}")


def _declare(session: Session, command: DeclareCursor, portal: Portal, described: bool) -> None:
    if not command.with_hold and session.status == TransactionStatus.IDLE:
        raise NoActiveTransaction("DECLARE CURSOR can only be used in transaction blocks")
    if command.name in session.portals:
        raise DuplicateCursor(f'cursor "{command.name}" already exists')
    prepared = prepare(command.query, (), session.executor.tables())
    if prepared.route in (Route.EMPTY, Route.COMMAND):
        raise SyntaxError_("DECLARE CURSOR needs a query", position=command.query_offset + 1)
    formats = (1,) if command.is_binary else ()
    cursor = Portal(
        prepared, formats, portal.literals, values=portal.values, is_holdable=command.with_hold
    )
    session.executor.open(cursor)
    session.portals[command.name] = cursor
    session.complete("DECLARE CURSOR")


def _fetch(session: Session, command: FetchCursor, portal: Portal, described: bool) -> None:
    cursor = _cursor(session, command.name)
    result = session.executor.open(cursor)
    if command.is_move:
        moved = sum(batch.num_rows for batch in result.take(command.count))
        session.complete(f"MOVE {moved}")
        return
    columns = session.executor.columns(cursor, result)
    if described:
        session.sink.write(columns.row_description)
    fetched = session.executor.send_rows(result, columns, command.count)
    session.complete(f"FETCH {fetched}")


def _close_cursor(session: Session, command: CloseCursor, portal: Portal, described: bool) -> None:
    if command.name is None:
        session.close_portals(keep=portal)
        session.complete("CLOSE CURSOR ALL")
        return
    _cursor(session, command.name).close()
    del session.portals[command.name]
    session.complete("CLOSE CURSOR")


def _deallocate(session: Session, command: Deallocate, portal: Portal, described: bool) -> None:
    if command.name is None:
        unnamed = session.statements.get("")
        session.statements.clear()
        if unnamed is not None:
            session.statements[""] = unnamed
        session.complete("DEALLOCATE ALL")
        return
    if command.name not in session.statements:
        raise InvalidStatementName(f'prepared statement "{command.name}" does not exist')
    del session.statements[command.name]
    session.complete("DEALLOCATE")


def _copy_to(session: Session, command: CopyTo, portal: Portal, described: bool) -> None:
    prepared = prepare(command.query, (), session.executor.tables())
    if prepared.route in (Route.EMPTY, Route.COMMAND):
        raise SyntaxError_("COPY needs a table or a query", position=command.query_offset + 1)
    source = Portal(prepared, (), portal.literals, values=portal.values)
    try:
        result = session.executor.open(source)
        columns = session.executor.columns(source, result)
        session.sink.write(copy_out_response(len(columns.names)))
        if command.options.header:
            session.sink.write(header_line(columns.names, command.options))
        encode = partial(encode_copy_rows, options=command.options)
        copied = session.executor.send_rows(result, columns, None, encode)
    finally:
        source.close()
    session.sink.write(COPY_DONE)
    session.complete(f"COPY {copied}")


def _noop(session: Session, command: NoOp, portal: Portal, described: bool) -> None:
    session.complete(command.tag)


def _cursor(session: Session, name: str) -> Portal:
    cursor = session.portals.get(name) if name else None
    if cursor is None:
        raise InvalidCursorName(f'cursor "{name}" does not exist')
    return cursor


_RUNNERS: dict[type, Callable[[Session, Any, Portal, bool], None]] = {
    SetParameter: _set,
    ResetParameter: _reset,
    ShowParameter: _show,
    Begin: _begin,
    Commit: _commit,
    Rollback: _rollback,
    Savepoint: _savepoint,
    Release: _release,
    RollbackTo: _rollback_to,
    Discard: _discard,
    DeclareCursor: _declare,
    FetchCursor: _fetch,
    CloseCursor: _close_cursor,
    Deallocate: _deallocate,
    CopyTo: _copy_to,
    NoOp: _noop,
}
