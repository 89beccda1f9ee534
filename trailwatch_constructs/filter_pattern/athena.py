"""Translate a JSON filter pattern into Athena SQL over AWS's documented CloudTrail table.

The table is the one in "Create the table for CloudTrail logs in Athena using partition
projection" (Athena user guide): lower-case columns, ``useridentity``, ``addendum`` and
``tlsdetails`` as structs, ``resources`` as an array of structs, and ``requestparameters``,
``responseelements``, ``additionaleventdata``, ``serviceeventdetails`` and
``edgedevicedetails`` as strings holding JSON.  The SQL is Trino's (Athena engine v3) and uses
only functions sqlglot transpiles to DuckDB, which is how the tests prove it equal to the
engine.  Where a column cannot tell two events apart that the engine tells apart, the
translation says so in its notes; where that changes what a construct means, it raises
:class:`AthenaTranslationError` instead.  The table of translations is in docs/hunting.md.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeAlias, assert_never

from trailwatch_constructs.core.errors import TrailwatchError
from trailwatch_constructs.filter_pattern import regex as aws_regex
from trailwatch_constructs.filter_pattern.pattern import FilterPattern
from trailwatch_constructs.filter_pattern.render import render_condition, render_selector
from trailwatch_constructs.filter_pattern.syntax import (
    And,
    AnyIndex,
    AnyKey,
    Comparison,
    ComparisonOp,
    Condition,
    FieldComparison,
    Index,
    JsonPattern,
    Key,
    NumberValue,
    Or,
    RegexPattern,
    RegexValue,
    Segment,
    Selector,
    SpaceDelimitedPattern,
    StateCheck,
    StateTest,
    StringValue,
    TermPattern,
    Value,
    WildcardValue,
)
from trailwatch_constructs.filter_pattern.terms import term_condition

DEFAULT_TABLE = "cloudtrail_logs"
RESULT_COLUMNS = (
    "eventid",
    "eventtime",
    "eventsource",
    "eventname",
    "useridentity.arn AS principal",
    "sourceipaddress",
    "awsregion",
    "recipientaccountid",
)
"""One row per matching event: which event, when, what, who, from where, in which account."""


class AthenaTranslationError(TrailwatchError, ValueError):
    """A pattern construct with no faithful Athena SQL over the documented CloudTrail table.

    Attributes:
        construct: the construct, as the pattern writes it (e.g. ``($.latency>50)``).
        reason: why it cannot be translated.
    """

    def __init__(self, construct: str, reason: str) -> None:
        self.construct = construct
        self.reason = reason
        super().__init__(f"cannot translate {construct!r} to Athena SQL: {reason}")


@dataclass(frozen=True, slots=True)
class AthenaCondition:
    """A pattern as a SQL boolean expression over the CloudTrail table.

    Attributes:
        sql: the expression, for a ``WHERE`` clause.
        notes: where the table cannot tell apart events the engine tells apart (one sentence each).
    """

    sql: str
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AthenaQuery:
    """A query returning one row per event a pattern matches (columns: :data:`RESULT_COLUMNS`).

    Attributes:
        sql: the ``SELECT`` statement.
        notes: as in :class:`AthenaCondition`.
    """

    sql: str
    notes: tuple[str, ...]


def to_athena_sql(
    pattern: FilterPattern,
    *,
    table: str = DEFAULT_TABLE,
    where: Sequence[str] = (),
    limit: int | None = None,
) -> AthenaQuery:
    """An Athena (Trino) query returning the events ``pattern`` matches.

    Args:
        pattern: a parsed JSON filter pattern.
        table: the CloudTrail table, ``name`` or ``database.name``. Default: ``cloudtrail_logs``.
        where: further SQL predicates ANDed to the condition (e.g. partition bounds). Default: none.
        limit: the most rows to return. Default: no limit.

    Returns:
        The query and the notes of :func:`to_athena_condition`.

    Raises:
        AthenaTranslationError: naming the construct that has no faithful translation, or a bad
            ``table`` or ``limit``.
    """
    if _TABLE_NAME.fullmatch(table) is None:
        raise AthenaTranslationError(table, "a table is 'name' or 'database.name' of letters, digits and '_'")
    if limit is not None and limit < 1:
        raise AthenaTranslationError(str(limit), "a limit is a positive integer")
    condition = to_athena_condition(pattern)
    predicates = [condition.sql, *where]
    clause = " AND ".join(f"({p})" for p in predicates) if len(predicates) > 1 else condition.sql
    sql = f"SELECT {', '.join(RESULT_COLUMNS)} FROM {table} WHERE {clause}"
    if limit is not None:
        sql += f" LIMIT {limit}"
    return AthenaQuery(sql, condition.notes)


def to_athena_condition(pattern: FilterPattern) -> AthenaCondition:
    """Only the ``WHERE`` expression of :func:`to_athena_sql`.

    Raises:
        AthenaTranslationError: naming the construct that has no faithful translation.
    """
    match pattern.root:
        case JsonPattern(condition):
            translator = _Translator()
            return AthenaCondition(translator.condition(condition), tuple(translator.notes))
        case TermPattern() as terms if not _has_terms(terms):
            # Empty (or only blank terms): it matches every event.
            return AthenaCondition("TRUE", ())
        case TermPattern() | RegexPattern():
            reason = "terms and standalone regex match the raw log line, which the CloudTrail table does not hold"
            raise AthenaTranslationError(pattern.text, reason)
        case SpaceDelimitedPattern():
            raise AthenaTranslationError(pattern.text, "CloudTrail records are JSON, not space-delimited lines")
        case _:
            assert_never(pattern.root)


def _has_terms(root: TermPattern) -> bool:
    condition = term_condition(root)
    return bool(condition.required or condition.excluded or condition.any_of)


# --------------------------------------------------------------------------
# The documented table: each JSON member CloudTrail writes, its column and type.


class _Scalar(enum.Enum):
    STRING = "string"
    """A STRING column holding one of CloudTrail's string members."""
    BOOLEAN = "boolean"
    """``readonly``: CloudTrail's JSON boolean ``readOnly``, as the text ``true``/``false``."""
    JSON = "json"
    """A STRING column holding the JSON text of an object (``requestparameters``...)."""
    MAP = "map"
    """A ``map<string,string>``."""


@dataclass(frozen=True, slots=True)
class _Struct:
    members: Mapping[str, tuple[str, _Type]]
    """JSON member name -> (column, type)."""


@dataclass(frozen=True, slots=True)
class _ArrayOf:
    element: _Struct


_Type: TypeAlias = _Scalar | _Struct | _ArrayOf


def _struct(*members: str | tuple[str, _Type]) -> _Struct:
    """Members written as their JSON name (a string column) or (JSON name, type)."""
    pairs = [(m, _Scalar.STRING) if isinstance(m, str) else m for m in members]
    return _Struct({name: (name.lower(), kind) for name, kind in pairs})


_SESSION_ISSUER = _struct("type", "principalId", "arn", "accountId", "userName")
_SESSION_CONTEXT = _struct(
    ("attributes", _struct("mfaAuthenticated", "creationDate")),
    ("sessionIssuer", _SESSION_ISSUER),
    "ec2RoleDelivery",
    ("webIdFederationData", _struct("federatedProvider", ("attributes", _Scalar.MAP))),
)
_USER_IDENTITY = _struct(
    "type",
    "principalId",
    "arn",
    "accountId",
    "invokedBy",
    "accessKeyId",
    "userName",
    ("onBehalfOf", _struct("userId", "identityStoreArn")),
    ("sessionContext", _SESSION_CONTEXT),
)
_CLOUDTRAIL_TABLE = _struct(
    "eventVersion",
    ("userIdentity", _USER_IDENTITY),
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "errorMessage",
    ("requestParameters", _Scalar.JSON),
    ("responseElements", _Scalar.JSON),
    ("additionalEventData", _Scalar.JSON),
    "requestID",
    "eventID",
    ("readOnly", _Scalar.BOOLEAN),
    ("resources", _ArrayOf(_struct("ARN", "accountId", "type"))),
    "eventType",
    "apiVersion",
    "recipientAccountId",
    ("serviceEventDetails", _Scalar.JSON),
    "sharedEventID",
    "vpcEndpointId",
    "vpcEndpointAccountId",
    "eventCategory",
    ("addendum", _struct("reason", "updatedFields", "originalRequestID", "originalEventID")),
    "sessionCredentialFromConsole",
    ("edgeDeviceDetails", _Scalar.JSON),
    ("tlsDetails", _struct("tlsVersion", "cipherSuite", "clientProvidedHostHeader")),
)
"""AWS's documented CloudTrail table, keyed by the member names CloudTrail writes."""

_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?")
_PLAIN_PATH_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER_TEXT = r"^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?\z"
"""The engine's number grammar: a string written like this compares with a number literal."""
_VALUE_NODE_JSON = '^["0-9-]'
"""The JSON text of a string or a number (a value node) starts with one of these."""
_NUMBER_JSON = "^[0-9-]"


# --------------------------------------------------------------------------
# Where a selector leads


@dataclass(frozen=True, slots=True)
class _Column:
    """A column or struct member: ``expr`` is NULL when the member is missing or JSON null."""

    expr: str
    kind: _Type


@dataclass(frozen=True, slots=True)
class _JsonAt:
    """The JSON value at ``path`` inside ``doc`` (a JSON text column, or a lambda's JSON element)."""

    doc: str
    path: str
    element: bool
    """``doc`` is an array element or member value itself: SQL NULL there is a JSON null."""

    @property
    def json(self) -> str:
        return f"json_extract({self.doc}, {_literal(self.path)})"

    @property
    def text(self) -> str:
        """The JSON text of the value (``"s"``, ``5``, ``true``, ``null``, ``{...}``), NULL if missing."""
        if self.element and self.path == "$":
            return f"COALESCE(json_format({self.doc}), 'null')"
        return f"json_format({self.json})"

    @property
    def scalar(self) -> str:
        """The string's content or the number's text; NULL for null, objects and arrays."""
        return f"json_extract_scalar({self.doc}, {_literal(self.path)})"

    @property
    def exists(self) -> str:
        if self.element and self.path == "$":
            return "TRUE"
        return f"{self.json} IS NOT NULL"


@dataclass(frozen=True, slots=True)
class _Each:
    """Every element of ``array`` (a wildcard selector), each named ``var`` in ``inner``."""

    array: str
    var: str
    inner: _Column | _JsonAt


_Target: TypeAlias = _Column | _JsonAt | _Each
_TestOf: TypeAlias = Callable[[_Column | _JsonAt], str]


class _Translator:
    """Translates one condition, collecting notes on what the table cannot tell apart."""

    def __init__(self) -> None:
        self._notes: dict[str, None] = {}

    @property
    def notes(self) -> list[str]:
        return list(self._notes)

    def condition(self, condition: Condition) -> str:
        match condition:
            case And(operands):
                return " AND ".join(self._operand(c, Or) for c in operands)
            case Or(operands):
                return " OR ".join(self._operand(c, And) for c in operands)
            case Comparison(selector, op, value):
                return self._at(selector, lambda t: self._comparison(t, op, value, condition))
            case StateTest(selector, check):
                return self._state(selector, check, condition)
            case FieldComparison():
                raise AthenaTranslationError(render_condition(condition), "a space-delimited field test")
            case _:
                assert_never(condition)

    def _operand(self, condition: Condition, wrap: type[And] | type[Or]) -> str:
        sql = self.condition(condition)
        return f"({sql})" if isinstance(condition, wrap) else sql

    def _at(self, selector: Selector, test: _TestOf) -> str:
        """``test`` of the value ``selector`` leads to; with a wildcard, of any element."""
        target = _resolve(selector)
        if isinstance(target, _Each):
            return f"contains(transform({target.array}, {target.var} -> {test(target.inner)}), TRUE)"
        return test(target)

    def _comparison(self, target: _Column | _JsonAt, op: ComparisonOp, value: Value, condition: Condition) -> str:
        construct = render_condition(condition)
        # A number literal after '<', '<=', '>' or '>=' (only numbers may follow them).
        bound = value.text if isinstance(value, NumberValue) and op not in (ComparisonOp.EQ, ComparisonOp.NE) else None
        if isinstance(target, _JsonAt):
            if isinstance(value, NumberValue):
                self._note_double(construct)
            elif not isinstance(value, WildcardValue) or value.core or value.trailing:
                self._notes[
                    f"{construct}: a JSON number is tested through the text Athena prints for it, "
                    "which for a fraction or an exponent may differ from the engine's"
                ] = None
            if bound is not None:
                number = f"regexp_like({target.text}, {_literal(_NUMBER_JSON)})"
                return f"{number} AND TRY_CAST({target.scalar} AS DOUBLE) {_SQL_OP[op]} {_double(bound, construct)}"
            node = f"regexp_like({target.text}, {_literal(_VALUE_NODE_JSON)})"
            return self._value_test(target.scalar, node, op, value, construct)
        if target.kind is not _Scalar.STRING:
            raise AthenaTranslationError(construct, f"{target.expr} holds {_describe(target.kind)}")
        if bound is not None:
            reason = f"{target.expr} is a string column: the table cannot tell a JSON number from its text"
            raise AthenaTranslationError(construct, reason)
        if isinstance(value, NumberValue):
            self._note_double(construct)
        return self._value_test(target.expr, None, op, value, construct)

    def _value_test(self, text: str, node: str | None, op: ComparisonOp, value: Value, construct: str) -> str:
        """``=``/``!=`` on a value node whose text (string content or number text) is ``text``.

        ``node`` tests that the value is a string or a number; ``None`` when any non-NULL
        ``text`` is one.
        """
        negate = op is ComparisonOp.NE
        present = node or f"{text} IS NOT NULL"
        match value:
            case StringValue(s):
                test = f"{text} {'<>' if negate else '='} {_literal(s)}"
            case WildcardValue(core="", leading=True, trailing=False):
                # '= *' holds on every value node; so '!= *' holds on none.
                return "FALSE" if negate else present
            case WildcardValue(core, leading, trailing):
                pattern = ("%" if leading else "") + _escape_like(core) + ("%" if trailing else "")
                test = f"{text} {'NOT LIKE' if negate else 'LIKE'} {_literal(pattern)} ESCAPE '\\'"
            case RegexValue(source):
                test = f"{'NOT ' if negate else ''}regexp_like({text}, {_literal(to_trino_regex(source, construct))})"
            case NumberValue(number):
                numeric = f"regexp_like({text}, {_literal(_NUMBER_TEXT)})"
                equal = f"{numeric} AND TRY_CAST({text} AS DOUBLE) = {_double(number, construct)}"
                # As in the engine, a string not written as a number is unequal to every number.
                return f"{present} AND NOT COALESCE({equal}, FALSE)" if negate else _both(node, equal)
            case _:
                assert_never(value)
        return _both(node, test)

    def _state(self, selector: Selector, check: StateCheck, condition: Condition) -> str:
        construct = render_condition(condition)
        if check is not StateCheck.NOT_EXISTS:
            return self._at(selector, lambda t: self._keyword(t, check, construct))
        target = _resolve(selector)
        if isinstance(target, _Each):
            present = f"transform({target.array}, {target.var} -> {self._exists(target.inner, construct)})"
            return f"NOT COALESCE(contains({present}, TRUE), FALSE)"
        if isinstance(target, _JsonAt):
            return f"{target.json} IS NULL"
        self._note_null(target, construct)
        return f"{target.expr} IS NULL"

    def _exists(self, target: _Column | _JsonAt, construct: str) -> str:
        if isinstance(target, _JsonAt):
            return target.exists
        self._note_null(target, construct)
        return f"{target.expr} IS NOT NULL"

    def _note_null(self, target: _Column, construct: str) -> None:
        self._notes[
            f"{construct}: {target.expr} is NULL both when the member is missing and when it is JSON null, "
            "so an explicit null counts as missing here (the engine counts it as existing)"
        ] = None

    def _keyword(self, target: _Column | _JsonAt, check: StateCheck, construct: str) -> str:
        if isinstance(target, _JsonAt):
            return f"{target.text} = {_literal(_KEYWORD_JSON[check])}"
        if target.kind is _Scalar.BOOLEAN and check in (StateCheck.IS_TRUE, StateCheck.IS_FALSE):
            self._notes[
                f"{construct}: {target.expr} holds CloudTrail's boolean readOnly as text, "
                'so the string "true" or "false" would look the same'
            ] = None
            return f"{target.expr} = {_literal(_KEYWORD_JSON[check])}"
        holds = _describe(target.kind)
        reason = f"{target.expr} holds {holds} and is NULL for a JSON null and a missing member alike"
        raise AthenaTranslationError(construct, reason)

    def _note_double(self, construct: str) -> None:
        self._notes[
            f"{construct}: compared as DOUBLE, so numbers differing beyond 15 significant digits compare equal, "
            "and a number is seen through the JSON text Athena prints for it"
        ] = None


_SQL_OP = {
    ComparisonOp.EQ: "=",
    ComparisonOp.NE: "<>",
    ComparisonOp.LT: "<",
    ComparisonOp.LE: "<=",
    ComparisonOp.GT: ">",
    ComparisonOp.GE: ">=",
}
_KEYWORD_JSON = {
    StateCheck.IS_NULL: "null",
    StateCheck.IS_TRUE: "true",
    StateCheck.IS_FALSE: "false",
}


def _describe(kind: _Type) -> str:
    """What a column of this type holds, for error messages."""
    match kind:
        case _Scalar.STRING:
            return "a string"
        case _Scalar.BOOLEAN:
            return "CloudTrail's boolean readOnly as text, which string tests cannot tell from a string"
        case _Scalar.JSON:
            return "the JSON text of an object"
        case _Scalar.MAP:
            return "a map, which the translation does not read"
        case _Struct():
            return "an object"
        case _ArrayOf():
            return "an array"
        case _:
            assert_never(kind)


# --------------------------------------------------------------------------
# Selectors


def _resolve(selector: Selector) -> _Target:
    """Where ``selector`` leads in the table."""
    return _walk("", _CLOUDTRAIL_TABLE, selector.segments, selector)


def _walk(expr: str, kind: _Type, segments: tuple[Segment, ...], selector: Selector) -> _Target:
    """Where ``segments`` lead from ``expr``, a value of type ``kind`` ("" and the table: the record)."""
    for i, segment in enumerate(segments):
        if kind is _Scalar.JSON:
            return _json_target(expr, segments[i:], selector)
        array = expr
        expr, kind, each = _step(expr, kind, segment, selector)
        if each:
            inner = _walk(each, kind, segments[i + 1 :], selector)
            if isinstance(inner, _Each):  # the parser already allows one wildcard per selector
                raise _selector_error(selector, "more than one wildcard")
            return _Each(array, each, inner)
    return _Column(expr, kind)


def _step(expr: str, kind: _Type, segment: Segment, selector: Selector) -> tuple[str, _Type, str]:
    """One segment down from a column: the new expression, its type, and the lambda variable of a wildcard."""
    match kind, segment:
        case _Struct(members), Key(name) if name in members:
            column, member = members[name]
            return (f"{expr}.{column}" if expr else column), member, ""
        case _Struct(), Key(name):
            where = f"member of {expr}" if expr else "column"
            raise _selector_error(selector, f"{name!r} is not a {where} of the documented CloudTrail table")
        case _ArrayOf(element), Index(index):
            return f"element_at({expr}, {index + 1})", element, ""
        case _ArrayOf(element), AnyIndex():
            return "r", element, "r"
        case _:
            raise _selector_error(selector, f"{expr or 'the record'} holds {_describe(kind)}")


def _json_target(doc: str, segments: tuple[Segment, ...], selector: Selector) -> _JsonAt | _Each:
    """The value ``segments`` lead to inside the JSON text ``doc``."""
    for i, segment in enumerate(segments):
        if isinstance(segment, AnyIndex | AnyKey):
            found = f"json_extract({doc}, {_literal(_json_path(segments[:i], selector))})"
            array = (
                f"TRY_CAST({found} AS ARRAY(JSON))"
                if isinstance(segment, AnyIndex)
                else f"map_values(TRY_CAST({found} AS MAP(VARCHAR, JSON)))"
            )
            return _Each(array, "v", _JsonAt("v", _json_path(segments[i + 1 :], selector), element=True))
    return _JsonAt(doc, _json_path(segments, selector), element=False)


def _json_path(segments: tuple[Segment, ...], selector: Selector) -> str:
    parts = ["$"]
    for segment in segments:
        match segment:
            case Key(name) if _PLAIN_PATH_KEY.fullmatch(name):
                parts.append("." + name)
            case Key(name) if '"' not in name and "\\" not in name:
                parts.append(f'["{name}"]')
            case Key(name):
                raise _selector_error(selector, f"the key {name!r} cannot be written in a JSON path")
            case Index(index):
                parts.append(f"[{index}]")
            case AnyKey() | AnyIndex():
                raise _selector_error(selector, "more than one wildcard")
            case _:
                assert_never(segment)
    return "".join(parts)


def _selector_error(selector: Selector, reason: str) -> AthenaTranslationError:
    return AthenaTranslationError(render_selector(selector), reason)


# --------------------------------------------------------------------------
# Literals and regex


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _both(node: str | None, test: str) -> str:
    return test if node is None else f"{node} AND {test}"


def _double(text: str, construct: str) -> str:
    value = float(Decimal(text))
    if value in (float("inf"), float("-inf")):
        raise AthenaTranslationError(construct, f"{text} is beyond the range of DOUBLE")
    written = repr(value)
    return written if "e" in written else written + "E0"


_CLASS_EXPANSIONS = {"d": "0-9", "w": "a-zA-Z_0-9", "s": "\\x09-\\x0D\\x20"}
"""The engine's ASCII meaning of ``\\d``, ``\\w``, ``\\s``, spelled so Trino and RE2 agree."""


def to_trino_regex(source: str, construct: str = "") -> str:
    """An AWS filter-pattern regex as a Trino ``regexp_like`` pattern with the engine's meaning.

    ``.`` matches any character (newlines too), ``$`` only the very end, and the class escapes
    are ASCII: written out, because Trino's and DuckDB's regex libraries differ on all three.

    Raises:
        AthenaTranslationError: the regex is outside the AWS subset.
    """
    try:
        python = aws_regex.translate(source)
    except aws_regex.RegexSyntaxError as error:
        raise AthenaTranslationError(construct or f"%{source}%", error.reason) from None
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(python):
        c = python[i]
        if c == "\\" and python[i + 1] == "x":
            out.append(python[i : i + 4])
            i += 4
            continue
        if c == "\\":
            out.append(_regex_escape(python[i + 1], in_class, construct or f"%{source}%"))
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
        elif c == "]" and in_class:
            in_class = False
        elif c == "." and not in_class:
            c = "[\\s\\S]"
        out.append(c)
        i += 1
    return "".join(out)


def _regex_escape(c: str, in_class: bool, construct: str) -> str:
    if c == "Z":
        return "\\z"
    if c.lower() in _CLASS_EXPANSIONS:
        body = _CLASS_EXPANSIONS[c.lower()]
        if c.islower():
            return body if in_class else f"[{body}]"
        if in_class:
            raise AthenaTranslationError(construct, f"'\\{c}' inside a character class")
        return f"[^{body}]"
    if c == " ":
        return "\\x20"
    return "\\" + c
