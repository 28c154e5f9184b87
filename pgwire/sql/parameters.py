"""`$n` parameters of a statement: which it uses, the types a client left unspecified
(what Describe reports in ParameterDescription), and binding their values (SQL literals
decoded from a Bind message) into the tree. The one `$n` binder of the wire endpoint."""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from connectors.base import TableInfo
from pgwire.types.builtin import TYPES_BY_NAME, TYPES_BY_OID, PgType, type_named
from pgwire.types.engine import pg_type_for


def parameter_numbers(expression: exp.Expression) -> list[int]:
    """The distinct `$n` numbers used in `expression`, sorted."""
    numbers = {
        int(node.this.this)
        for node in expression.find_all(exp.Parameter)
        if isinstance(node.this, exp.Literal) and not node.this.is_string
    }
    return sorted(numbers)


def bind(expression: exp.Expression, literals: Sequence[exp.Expression]) -> exp.Expression:
    """A copy of `expression` with every `$n` replaced by `literals[n - 1]`."""

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Parameter) and isinstance(node.this, exp.Literal):
            number = int(node.this.this)
            if 1 <= number <= len(literals):
                return literals[number - 1].copy()
        return node

    return expression.copy().transform(replace)


def infer_parameter_types(
    expression: exp.Expression, declared: Sequence[int], tables: Sequence[TableInfo]
) -> list[PgType]:
    """A type per parameter: as declared by Parse when non-zero, else from the context
    (a cast, a comparison with a column or literal, LIMIT/OFFSET), else text."""
    numbers = parameter_numbers(expression)
    count = max([*numbers, len(declared)], default=0)
    inferred: dict[int, PgType] = {}
    columns = _column_types(expression, tables)
    for node in expression.find_all(exp.Parameter):
        if isinstance(node.this, exp.Literal) and not node.this.is_string:
            number = int(node.this.this)
            pg_type = _context_type(node, columns)
            if pg_type is not None and number not in inferred:
                inferred[number] = pg_type
    types: list[PgType] = []
    for number in range(1, count + 1):
        oid = declared[number - 1] if number <= len(declared) else 0
        declared_type = TYPES_BY_OID.get(oid) if oid else None
        types.append(declared_type or inferred.get(number) or TYPES_BY_NAME["text"])
    return types


def _column_types(expression: exp.Expression, tables: Sequence[TableInfo]) -> dict[str, PgType]:
    named = {table.name.lower() for table in expression.find_all(exp.Table)}
    types: dict[str, PgType] = {}
    for table in tables:
        if table.name.lower() in named:
            for column in table.columns:
                types.setdefault(column.name.lower(), pg_type_for(column.type).pg_type)
    return types


def _operand_type(node: exp.Expression, columns: dict[str, PgType]) -> PgType | None:
    if isinstance(node, exp.Column):
        return columns.get(node.name.lower())
    if isinstance(node, exp.Cast):
        return _cast_type(node)
    if isinstance(node, exp.Literal):
        if node.is_string:
            return TYPES_BY_NAME["text"]
        return TYPES_BY_NAME["numeric" if "." in node.this else "int4"]
    return None


def _cast_type(node: exp.Cast) -> PgType | None:
    name = node.to.sql(dialect="postgres").lower()
    try:
        return type_named(name.split("(")[0])
    except KeyError:
        return None


def _context_type(node: exp.Expression, columns: dict[str, PgType]) -> PgType | None:
    parent = node.parent
    if isinstance(parent, exp.Cast):
        return _cast_type(parent)
    if isinstance(parent, (exp.Limit, exp.Offset, exp.Fetch)):
        return TYPES_BY_NAME["int8"]
    if isinstance(parent, exp.Binary):
        others = [
            child
            for child in (parent.left, parent.right)
            if child is not node and isinstance(child, exp.Expression)
        ]
        for other in others:
            found = _operand_type(other, columns)
            if found is not None:
                return found
    if isinstance(parent, (exp.In, exp.Between)):
        return _operand_type(parent.this, columns)
    return None
