"""Tokenizer and recursive-descent parser for CloudWatch Logs filter patterns.

The grammar is written out in docs/filter-patterns.md.  Lexing is done on
demand by the parser (the value after ``=`` lexes differently from a
selector or a plain term), so there is no separate token stream.  Every
rejection is a :class:`FilterPatternError` pointing at the offending
character; nothing else escapes :func:`parse`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from typing import NamedTuple

from trailwatch_constructs.filter_pattern import limits
from trailwatch_constructs.filter_pattern import regex as aws_regex
from trailwatch_constructs.filter_pattern.errors import FilterPatternError, PatternWarning
from trailwatch_constructs.filter_pattern.syntax import (
    And,
    AnyIndex,
    AnyKey,
    Comparison,
    ComparisonOp,
    Condition,
    DelimitedField,
    FieldComparison,
    Index,
    JsonPattern,
    Key,
    NumberValue,
    Or,
    PatternKind,
    PatternRoot,
    RegexPattern,
    RegexValue,
    Segment,
    Selector,
    SkipFields,
    SpaceDelimitedPattern,
    StateCheck,
    StateTest,
    StringValue,
    Term,
    TermMode,
    TermPattern,
    Value,
    WildcardValue,
)

NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
"""AWS: "An integer with an optional + or - sign, a decimal with an optional
+ or - sign, or a number in scientific notation"."""

_WORD = re.compile(r"[A-Za-z]+")
_ASCII_WORD_CHARS = frozenset(string.ascii_letters + string.digits + "_")
PROPERTY_NAME_CHARS = _ASCII_WORD_CHARS | {"-"}
"""AWS: "Property selectors are alphanumeric strings that support hyphen (-)
and underscore (_) characters."  Anything else needs ``.['key']``."""
FIELD_NAME_CHARS = _ASCII_WORD_CHARS
TERM_CHARS = _ASCII_WORD_CHARS
"""AWS: terms "that include characters other than alphanumeric or underscore
must be placed inside double quotes"."""
BARE_VALUE_CHARS = _ASCII_WORD_CHARS | set(".*+-")
"""Unquoted comparison values: AWS examples use ``kms.amazonaws.com``,
``123.123.*``, ``AccessDenied*``, ``+1000`` and ``-5`` unquoted."""
_VALUE_END = frozenset(")}],&|")
_SELECTOR_END = frozenset("=!<>)}&|")
_OPERATOR_CHARS = frozenset("=!<>")
_STRING_OPS = frozenset({ComparisonOp.EQ, ComparisonOp.NE})
"""The operators that take a string, a wildcard or a regex; the others need a number."""
_DIGITS = frozenset(string.digits)
_UNQUOTED_KEYWORDS = {"true": "IS TRUE", "false": "IS FALSE", "null": "IS NULL"}


class ParsedPattern(NamedTuple):
    """What :func:`parse` finds: the pattern's kind, its syntax tree, and the traps it accepted."""

    kind: PatternKind
    root: PatternRoot
    warnings: tuple[PatternWarning, ...]


def parse(text: str) -> ParsedPattern:
    """Parse a whole filter pattern into its kind, syntax tree and warnings.

    Raises:
        FilterPatternError: the pattern is not one CloudWatch Logs accepts.
    """
    if not isinstance(text, str):
        raise FilterPatternError(
            pattern=repr(text),
            position=0,
            reason=f"a filter pattern must be a str, not {type(text).__name__}",
            fragment="",
        )
    if len(text) > limits.MAX_PATTERN_LENGTH:
        raise FilterPatternError(
            pattern=text,
            position=limits.MAX_PATTERN_LENGTH,
            reason=(
                f"the pattern is {len(text)} characters long; CloudWatch Logs "
                f"allows at most {limits.MAX_PATTERN_LENGTH}"
            ),
            hint="split it into several metric filters",
        )
    parser = _Parser(text)
    kind, root = parser.pattern()
    return ParsedPattern(kind, root, tuple(parser.warnings))


def parse_selector(text: str) -> Selector:
    """Parse a lone property selector such as ``$.userIdentity.type``.

    Raises:
        FilterPatternError: ``text`` is not exactly one valid selector.
    """
    parser = _Parser(text)
    if not text.startswith("$"):
        raise parser.error(
            "a property selector starts with '$.'",
            hint=f"write '$.{text}'" if text else "e.g. '$.eventName'",
        )
    selector = parser.selector()
    if not parser.at_end():
        raise parser.error("unexpected text after the property selector")
    return selector


class _Parser:
    """One parse of one pattern; ``pos`` only ever moves forward.

    Each parsing method implements one rule of the grammar written out in
    docs/filter-patterns.md, and its docstring names the rule.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0
        self.regex_count = 0
        self.wildcard_count = 0
        # Space-delimited patterns: the declared field names with their
        # positions, where '...' is, and (name, position) of every other
        # field a condition tests.
        self.field_names: dict[str, int] = {}
        self.skip_at: int | None = None
        self.references: list[tuple[str, int]] = []
        self.warnings: list[PatternWarning] = []

    # ------------------------------------------------------------------
    # low-level helpers

    def error(
        self,
        reason: str,
        *,
        hint: str = "",
        position: int | None = None,
        fragment: str | None = None,
    ) -> FilterPatternError:
        """Returns the error to raise, at ``position`` (default: the current position)."""
        return FilterPatternError(
            pattern=self.text,
            position=self.pos if position is None else position,
            reason=reason,
            hint=hint,
            fragment=fragment,
        )

    def never_closed(self, reason: str, opener: str, open_pos: int) -> FilterPatternError:
        """Returns the error for a pattern that ends before the bracket opened at ``open_pos`` is closed."""
        return self.error(reason, hint=f"the '{opener}' at position {open_pos} is never closed", fragment="")

    def at_end(self) -> bool:
        """Returns whether the whole pattern has been read."""
        return self.pos >= len(self.text)

    def peek(self) -> str:
        """Returns the current character, or ``""`` at the end."""
        return self.text[self.pos : self.pos + 1]

    def skip_ws(self) -> None:
        """Skips blanks (any Unicode whitespace, newlines included)."""
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def read_word(self) -> str:
        """Reads a run of ASCII letters (a keyword, or what should have been one)."""
        match = _WORD.match(self.text, self.pos)
        if match is None:
            return ""
        self.pos = match.end()
        return match.group()

    def run_of(self, allowed: frozenset[str]) -> str:
        """Reads the longest run of ``allowed`` characters."""
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in allowed:
            self.pos += 1
        return self.text[start : self.pos]

    def token_at(self, position: int) -> str:
        """Returns the whitespace-delimited chunk at ``position``, for messages."""
        end = position
        while end < len(self.text) and not self.text[end].isspace():
            end += 1
        return self.text[position:end][:30]

    # ------------------------------------------------------------------
    # whole patterns

    def pattern(self) -> tuple[PatternKind, PatternRoot]:
        """``pattern = json | delimited | regex | terms``: the first non-blank character picks the kind."""
        self.skip_ws()
        first = self.peek()
        if first == "{":
            return PatternKind.JSON, self.json_pattern()
        if first == "[":
            return PatternKind.SPACE_DELIMITED, self.delimited_pattern()
        if first == "%":
            return PatternKind.TERM, self.regex_pattern()
        return PatternKind.TERM, self.term_pattern()

    def expect_end(self, what: str) -> None:
        """Checks that nothing but blanks follows ``what``, the end of a whole pattern."""
        self.skip_ws()
        if not self.at_end():
            raise self.error(
                f"unexpected text after {what}",
                hint="a pattern is exactly one JSON, space-delimited, regex or term pattern",
                fragment=self.token_at(self.pos),
            )

    # ------------------------------------------------------------------
    # JSON patterns

    def json_pattern(self) -> JsonPattern:
        """``json = "{" or_expr "}"``."""
        open_pos = self.pos
        self.pos += 1
        self.skip_ws()
        if self.peek() == "}":
            raise self.error(
                "empty JSON pattern '{}'",
                hint="put a condition inside, e.g. { $.eventName = ConsoleLogin }",
                position=open_pos,
            )
        if self.at_end():
            raise self.never_closed("missing closing '}'", "{", open_pos)
        condition = self.or_expr(self.json_primary)
        self.close_group("}", open_pos)
        self.expect_end("the closing '}'")
        return JsonPattern(condition)

    def close_group(self, closer: str, open_pos: int) -> None:
        """Reads ``closer``, the ``"}"`` of ``json`` or the ``")"`` of ``primary``, opened at ``open_pos``."""
        self.skip_ws()
        if self.at_end():
            if closer == "}":
                raise self.never_closed("missing closing '}'", "{", open_pos)
            raise self.never_closed("missing ')'", "(", open_pos)
        c = self.peek()
        if c != closer:
            raise self.not_closed(c, closer, open_pos)
        self.pos += 1

    def not_closed(self, c: str, closer: str, open_pos: int) -> FilterPatternError:
        """Returns the error for ``c`` where ``&&``, ``||`` or ``closer`` should follow a condition."""
        if c == ")":
            return self.error("unmatched ')'", hint="remove it or add the matching '('", fragment=c)
        if c == "}" and closer == ")":
            return self.error(
                "missing ')' before '}'",
                hint=f"parentheses are unbalanced: the '(' at position {open_pos} is never closed",
                fragment=c,
            )
        word = self.token_at(self.pos)
        if word.upper() in {"AND", "OR"}:
            symbol = "&&" if word.upper() == "AND" else "||"
            return self.error(f"{word!r} is not an operator", hint=f"use '{symbol}'", fragment=word)
        return self.error(
            f"expected '&&', '||' or '{closer}' after a condition",
            hint="join conditions with && or ||",
            fragment=word,
        )

    def or_expr(self, primary: Callable[[], Condition], first: Condition | None = None) -> Condition:
        """``or_expr = and_expr { "||" and_expr }``, and ``field_or`` when ``primary`` reads a ``field_test``."""
        operands = [self.and_expr(primary, first)]
        while True:
            self.skip_ws()
            if self.text.startswith("||", self.pos):
                self.consume_operator("||")
                operands.append(self.and_expr(primary))
            elif self.peek() == "|":
                raise self.error("'|' is not an operator", hint="use '||' for OR")
            else:
                return join(Or, operands)

    def and_expr(self, primary: Callable[[], Condition], first: Condition | None = None) -> Condition:
        """``and_expr = primary { "&&" primary }``, and ``field_and``; ``first`` is an operand already read."""
        operands = [primary() if first is None else first]
        while True:
            self.skip_ws()
            if self.text.startswith("&&", self.pos):
                self.consume_operator("&&")
                operands.append(primary())
            elif self.peek() == "&":
                raise self.error("'&' is not an operator", hint="use '&&' for AND")
            else:
                return join(And, operands)

    def consume_operator(self, symbol: str) -> None:
        """Reads the ``"&&"`` or ``"||"`` of ``and_expr``/``or_expr`` and checks that an operand follows."""
        op_pos = self.pos
        self.pos += 2
        self.skip_ws()
        nxt = self.peek()
        if not nxt or nxt in ")}]," or self.text.startswith(("&&", "||"), self.pos):
            raise self.error(
                f"'{symbol}' must be followed by a condition",
                hint="remove the trailing operator or add a condition after it",
                position=op_pos,
                fragment=symbol,
            )

    def json_primary(self) -> Condition:
        """``primary = "(" or_expr ")" | condition``."""
        self.skip_ws()
        c = self.peek()
        if c == "(":
            return self.parenthesised()
        if c == "$":
            return self.json_condition()
        if not c:
            raise self.error("unexpected end of pattern; expected a condition")
        if c == ")":
            raise self.error("unmatched ')'", hint="parentheses are unbalanced")
        word = self.token_at(self.pos)
        name = self.run_of(PROPERTY_NAME_CHARS)
        hint = f"write '$.{name}'" if name else "e.g. '$.eventName = ConsoleLogin'"
        raise self.error(
            f"expected a property selector starting with '$.', found {word!r}",
            hint=hint,
            position=self.pos - len(name),
            fragment=word,
        )

    def parenthesised(self) -> Condition:
        """``"(" or_expr ")"``, the first alternative of ``primary``."""
        open_pos = self.pos
        self.depth += 1
        if self.depth > limits.MAX_NESTING_DEPTH:
            raise self.error(f"parentheses nest more than {limits.MAX_NESTING_DEPTH} deep")
        self.pos += 1
        self.skip_ws()
        if self.peek() == ")":
            raise self.error("empty parentheses '()'", position=open_pos)
        condition = self.or_expr(self.json_primary)
        self.close_group(")", open_pos)
        self.depth -= 1
        return condition

    def json_condition(self) -> Condition:
        """``condition = selector ( operator value | state )``."""
        selector = self.selector()
        self.skip_ws()
        if self.peek() in _OPERATOR_CHARS:
            op_pos = self.pos
            op = self.operator()
            return Comparison(selector, op, self.value(op, op_pos, PatternKind.JSON))
        return StateTest(selector, self.state())

    def state(self) -> StateCheck:
        """``state = "IS" ( "NULL" | "TRUE" | "FALSE" ) | "NOT" "EXISTS"``."""
        start = self.pos
        word = self.read_word()
        if word == "IS":
            return self.is_keyword(start)
        if word == "NOT":
            return self.not_exists()
        raise self.not_a_state(word, start)

    def is_keyword(self, start: int) -> StateCheck:
        """``"IS" ( "NULL" | "TRUE" | "FALSE" )`` after the ``IS`` that starts at ``start``."""
        self.skip_ws()
        second_pos = self.pos
        second = self.read_word()
        if second in ("NULL", "TRUE", "FALSE"):
            return StateCheck(f"IS {second}")
        if second.upper() == "NOT":
            raise self.error(
                "'IS NOT' is not supported",
                hint="use '!=' to exclude a value, or 'NOT EXISTS' to require that a field is absent",
                position=start,
                fragment=self.text[start : self.pos],
            )
        if second.upper() in ("NULL", "TRUE", "FALSE"):
            raise self.error(
                "keywords are upper case", hint=f"write 'IS {second.upper()}'", position=second_pos, fragment=second
            )
        raise self.error(
            "expected NULL, TRUE or FALSE after IS", position=second_pos, fragment=self.token_at(second_pos)
        )

    def not_exists(self) -> StateCheck:
        """``"NOT" "EXISTS"`` after the ``NOT``."""
        self.skip_ws()
        second_pos = self.pos
        second = self.read_word()
        if second == "EXISTS":
            return StateCheck.NOT_EXISTS
        raise self.error(
            "expected EXISTS after NOT",
            hint="write 'NOT EXISTS'" if second.upper() == "EXISTS" else "",
            position=second_pos,
            fragment=self.token_at(second_pos),
        )

    def not_a_state(self, word: str, start: int) -> FilterPatternError:
        """Returns the error for ``word``, read at ``start`` where an operator or a ``state`` should be."""
        if word == "EXISTS":
            return self.error(
                "'EXISTS' is not supported",
                hint="use 'NOT EXISTS' to require that a field is absent, or "
                "'$.field = *' to require that it has a value",
                position=start,
                fragment=word,
            )
        if word.upper() in ("IS", "NOT", "EXISTS"):
            return self.error("keywords are upper case", hint=f"write '{word.upper()}'", position=start, fragment=word)
        if not word and self.at_end():
            return self.error(
                "unexpected end of pattern after the selector", hint="add an operator and a value, e.g. '= value'"
            )
        return self.error(
            "expected an operator (=, !=, <, <=, >, >=), IS or NOT EXISTS after the selector",
            position=start,
            fragment=self.token_at(start),
        )

    # ------------------------------------------------------------------
    # selectors

    def selector(self) -> Selector:
        """``selector = "$" "." first { segment }``, within the documented wildcard limits."""
        start = self.pos
        self.pos += 1  # the '$'
        if self.peek() != ".":
            raise self.error(
                "a property selector starts with '$.'",
                hint="an array index must follow a property, e.g. '$.items[0]'"
                if self.peek() == "["
                else "e.g. '$.eventName'",
                position=start,
                fragment=self.token_at(start),
            )
        selector = Selector(self.segments())
        c = self.peek()
        if c and not c.isspace() and c not in _SELECTOR_END:
            raise self.error(
                f"character {c!r} is not allowed in a property name",
                hint="property names may use letters, digits, '-' and '_'; write "
                "other keys in bracket notation, e.g. $.['cluster.name']",
                fragment=c,
            )
        self.count_wildcards(selector, start)
        return selector

    def segments(self) -> tuple[Segment, ...]:
        """``"." first { segment }`` with ``segment = "." first | index``."""
        segments: list[Segment] = []
        while True:
            c = self.peek()
            if c == ".":
                self.pos += 1
                segments.append(self.first())
            elif c == "[":
                segments.append(self.index())
            else:
                return tuple(segments)

    def count_wildcards(self, selector: Selector, start: int) -> None:
        """Checks the wildcard limits on the selector read from ``start``, and for the pattern so far."""
        wildcards = selector.wildcard_count
        if wildcards > limits.MAX_WILDCARDS_PER_SELECTOR:
            raise self.error(
                f"a property selector may use at most {limits.MAX_WILDCARDS_PER_SELECTOR} wildcard (.* or [*])",
                position=start,
                fragment=self.text[start : self.pos],
            )
        self.wildcard_count += wildcards
        if self.wildcard_count > limits.MAX_WILDCARDS_PER_PATTERN:
            raise self.error(
                f"a filter pattern may use at most {limits.MAX_WILDCARDS_PER_PATTERN} wildcard selectors",
                position=start,
                fragment=self.text[start : self.pos],
            )

    def first(self) -> Segment:
        """``first = name | "*" | bracket_key``: what follows a ``"."``."""
        c = self.peek()
        if c == "*":
            self.pos += 1
            return AnyKey()
        if c == "[":
            return self.bracket_key()
        name = self.run_of(PROPERTY_NAME_CHARS)
        if name:
            return Key(name)
        raise self.error(
            "expected a property name after '.'",
            hint="property names may use letters, digits, '-' and '_'; write other keys as .['key']",
            fragment=self.token_at(self.pos),
        )

    def bracket_key(self) -> Key:
        """``bracket_key = "['" { any character except "'" }- "']"``."""
        if not self.text.startswith("['", self.pos):
            hint = (
                "an array index follows the property directly, e.g. '$.items[0]'"
                if self.text[self.pos + 1 : self.pos + 2].isdigit() or self.text.startswith("[*", self.pos)
                else "quote the key with single quotes: .['key']"
            )
            raise self.error("expected .['key'] after '.'", hint=hint)
        close = self.text.find("'", self.pos + 2)
        if close == -1:
            raise self.error("unterminated quoted key", hint='close it with "\']"')
        name = self.text[self.pos + 2 : close]
        if not name:
            raise self.error("empty property name in .['']")
        if self.text[close + 1 : close + 2] != "]":
            raise self.error(
                "expected ']' after the quoted key",
                hint="a key cannot contain a single quote",
                position=close + 1,
            )
        self.pos = close + 2
        return Key(name)

    def index(self) -> Index | AnyIndex:
        """``index = "[" digits "]" | "[" "*" "]"``."""
        start = self.pos
        self.pos += 1
        if self.text.startswith("*]", self.pos):
            self.pos += 2
            return AnyIndex()
        digits = self.run_of(_DIGITS)
        if digits and self.peek() == "]":
            self.pos += 1
            return Index(int(digits))
        hint = (
            "write quoted keys as .['key'], with a dot before the bracket"
            if self.peek() in ("'", '"')
            else "an array index is a non-negative integer or '*'"
        )
        raise self.error(
            "expected an array index [n] or [*]",
            hint=hint,
            position=start,
            fragment=self.token_at(start),
        )

    # ------------------------------------------------------------------
    # operators and values

    def operator(self) -> ComparisonOp:
        """``operator = "=" | "!=" | "<" | "<=" | ">" | ">="``."""
        start = self.pos
        two = self.text[self.pos : self.pos + 2]
        if two in ("!=", "<=", ">="):
            self.pos += 2
            op = ComparisonOp(two)
        elif two[:1] in ("=", "<", ">"):
            self.pos += 1
            op = ComparisonOp(two[:1])
        else:
            raise self.error("'!' must be followed by '=' ('!=')", fragment=two[:1])
        if self.peek() in _OPERATOR_CHARS:
            spelled = self.text[start : self.pos + 1]
            hint = {
                "==": "use '=' for equality",
                "=<": "did you mean '<='?",
                "=>": "did you mean '>='?",
                "<>": "use '!=' for inequality",
            }.get(spelled, "operators are = != < <= > >=")
            raise self.error(f"unknown operator {spelled!r}", hint=hint, position=start, fragment=spelled)
        return op

    def value(self, op: ComparisonOp, op_pos: int, kind: PatternKind) -> Value:
        """``value = quoted | regex_value | bare``, compared with ``op`` (read at ``op_pos``) in a ``kind`` pattern."""
        self.skip_ws()
        c = self.peek()
        if not c or c in _VALUE_END or self.text.startswith(("&&", "||"), self.pos):
            raise self.error(
                f"'{op.value}' needs a value",
                hint="e.g. '= ConsoleLogin', '= \"two words\"', '= *' for any value",
                position=op_pos,
                fragment=op.value,
            )
        if c == '"':
            return self.quoted_value(op)
        if c == "%":
            return self.regex_value(op)
        return self.bare_value(op, kind)

    def quoted_value(self, op: ComparisonOp) -> StringValue | WildcardValue:
        """``quoted``, the first alternative of ``value``: a string, which ``<`` ``<=`` ``>`` ``>=`` refuse."""
        start = self.pos
        text = self.quoted()
        if op not in _STRING_OPS:
            raise self.error(
                f"'{op.value}' compares numbers, but the value is a quoted string",
                hint="remove the quotes around the number",
                position=start,
                fragment=self.text[start : self.pos],
            )
        return classify_string(text)

    def regex_value(self, op: ComparisonOp) -> RegexValue:
        """``regex_value = "%" aws_regex "%"``, only with ``=`` and ``!=``."""
        if op not in _STRING_OPS:
            raise self.error(f"a regex can only be used with '=' or '!=', not '{op.value}'")
        return RegexValue(self.regex_body())

    def bare_value(self, op: ComparisonOp, kind: PatternKind) -> Value:
        """``bare``, the last alternative of ``value``: a number, or a string that ``op`` accepts."""
        start = self.pos
        token = self.bare()
        if NUMBER.fullmatch(token):
            return NumberValue(token)
        if op not in _STRING_OPS:
            raise self.error(
                f"'{op.value}' needs a number, found {token!r}",
                hint="numbers look like 400, -5, 55.5 or 1e3",
                position=start,
                fragment=token,
            )
        if token in _UNQUOTED_KEYWORDS and kind is PatternKind.JSON:
            # AWS: "Strings that consist entirely of alphanumeric characters do
            # not need to be quoted", so this is the text, which a JSON literal
            # never equals: accepted as AWS accepts it, reported as a trap.
            literal = "null" if token == "null" else "boolean"
            self.warnings.append(
                PatternWarning(
                    position=start,
                    fragment=token,
                    message=f"unquoted {token!r} compares text and never matches the JSON {literal} {token}",
                    hint=f"use '{_UNQUOTED_KEYWORDS[token]}' to test the JSON {literal}",
                )
            )
        return classify_string(token)

    def bare(self) -> str:
        """``bare = { letter | digit | "_" | "." | "*" | "+" | "-" }-``."""
        start = self.pos
        token = self.run_of(BARE_VALUE_CHARS)
        c = self.peek()
        if c and not c.isspace() and c not in _VALUE_END:
            whole = self.token_at(start)
            raise self.error(
                f"character {c!r} must be inside a quoted string",
                hint=f'quote the value, e.g. "{whole}"' if '"' not in whole else "quote the value",
                fragment=c,
            )
        return token

    def quoted(self) -> str:
        r"""``quoted = '"' { any character except '"' and "\" | '\"' | "\\" } '"'``."""
        start = self.pos
        self.pos += 1
        out: list[str] = []
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c == "\\" and text[self.pos + 1 : self.pos + 2] in ('"', "\\"):
                out.append(text[self.pos + 1])
                self.pos += 2
            elif c == '"':
                self.pos += 1
                return "".join(out)
            else:
                out.append(c)
                self.pos += 1
        raise self.error(
            "unterminated string: missing closing '\"'",
            hint='escape a double quote inside a string as \\"',
            position=start,
        )

    def regex_body(self) -> str:
        """``"%" aws_regex "%"``, shared by ``regex`` and ``regex_value``; counts towards the regex limit."""
        start = self.pos
        close = self.text.find("%", start + 1)
        if close == -1:
            raise self.error("unterminated regex: missing closing '%'", position=start)
        source = self.text[start + 1 : close]
        try:
            aws_regex.compiled(source)
        except aws_regex.RegexSyntaxError as exc:
            raise self.error(exc.reason, hint=exc.hint, position=start + 1 + exc.offset) from None
        self.regex_count += 1
        if self.regex_count > limits.MAX_REGEX_PER_PATTERN:
            raise self.error(
                f"a JSON or space-delimited pattern may contain at most {limits.MAX_REGEX_PER_PATTERN} regex",
                position=start,
                fragment=self.text[start : close + 1],
            )
        self.pos = close + 1
        return source

    # ------------------------------------------------------------------
    # space-delimited patterns

    def delimited_pattern(self) -> SpaceDelimitedPattern:
        """``delimited = "[" slot { "," slot } "]"``."""
        open_pos = self.pos
        self.pos += 1
        fields = [self.slot(open_pos, first=True)]
        while self.another_slot(open_pos):
            fields.append(self.slot(open_pos, first=False))
        self.check_references()
        self.expect_end("the closing ']'")
        return SpaceDelimitedPattern(tuple(fields))

    def slot(self, open_pos: int, *, first: bool) -> DelimitedField | SkipFields:
        """``slot = "..." | field_name | field_or | (* empty *)``."""
        self.skip_ws()
        c = self.peek()
        if not c:
            raise self.never_closed("missing closing ']'", "[", open_pos)
        if c == "]" and first:
            raise self.error(
                "empty space-delimited pattern '[]'",
                hint="name the fields, e.g. [ip, user, status_code=4*, bytes]",
                position=open_pos,
            )
        if c in (",", "]"):
            return DelimitedField(None, None)
        if self.text.startswith("...", self.pos):
            return self.skip_fields()
        if c == "\u2026":
            raise self.error("write the ellipsis as three dots '...'", fragment=c)
        return self.delimited_field()

    def another_slot(self, open_pos: int) -> bool:
        """Reads the ``","`` before another ``slot`` (``True``) or the closing ``"]"`` (``False``)."""
        self.skip_ws()
        c = self.peek()
        if c == ",":
            self.pos += 1
            return True
        if c == "]":
            self.pos += 1
            return False
        if not c:
            raise self.never_closed("missing closing ']'", "[", open_pos)
        raise self.error(
            "expected ',' or ']' after a field",
            hint="separate fields with commas",
            fragment=self.token_at(self.pos),
        )

    def skip_fields(self) -> SkipFields:
        """``"..."``, the first alternative of ``slot``; at most one per pattern."""
        if self.skip_at is not None:
            raise self.error(
                "only one '...' is allowed in a space-delimited pattern",
                hint=f"the first '...' is at position {self.skip_at}",
                fragment="...",
            )
        self.skip_at = self.pos
        self.pos += 3
        return SkipFields()

    def delimited_field(self) -> DelimitedField:
        """``field_name | field_or``: a named slot, with or without a condition; each name once."""
        name_pos = self.pos
        name = self.field_name()
        self.skip_ws()
        condition = None
        if self.peek() not in ("", ",", "]"):
            first = self.delimited_comparison_after_name(name)
            condition = self.or_expr(self.delimited_comparison, first)
        if name in self.field_names:
            raise self.error(
                f"field name {name!r} is used twice",
                hint=f"it is first used at position {self.field_names[name]}",
                position=name_pos,
                fragment=name,
            )
        self.field_names[name] = name_pos
        return DelimitedField(name, condition)

    def check_references(self) -> None:
        """Checks that every field a condition tests is one of the pattern's fields."""
        for name, position in self.references:
            if name not in self.field_names:
                raise self.error(
                    f"field {name!r} is not one of the pattern's fields",
                    hint="a condition can only test a field named in the pattern",
                    position=position,
                    fragment=name,
                )

    def field_name(self) -> str:
        """``field_name = { letter | digit | "_" }-``."""
        start = self.pos
        name = self.run_of(FIELD_NAME_CHARS)
        if not name:
            c = self.peek()
            hint = (
                "parentheses are not supported in space-delimited patterns"
                if c in ("(", ")")
                else "field names use letters, digits and '_'"
            )
            raise self.error("expected a field name", hint=hint, fragment=self.token_at(start))
        return name

    def delimited_comparison(self) -> Condition:
        """``field_test = field_name operator value``, for a field that may be any of the pattern's."""
        self.skip_ws()
        name_pos = self.pos
        name = self.field_name()
        # Checked against the declared names once all of them are known.
        self.references.append((name, name_pos))
        self.skip_ws()
        return self.delimited_comparison_after_name(name)

    def delimited_comparison_after_name(self, name: str) -> Condition:
        """``operator value``, the rest of a ``field_test`` on the field ``name``."""
        c = self.peek()
        if c not in _OPERATOR_CHARS:
            word = self.token_at(self.pos)
            if word in ("IS", "NOT"):
                hint = "IS NULL, IS TRUE, IS FALSE and NOT EXISTS only work in JSON patterns"
            elif c in FIELD_NAME_CHARS:
                hint = "separate fields with commas, e.g. [ip, user]"
            else:
                hint = "e.g. status_code=404 or bytes>1000"
            raise self.error(f"expected an operator or ',' after field {name!r}", hint=hint, fragment=word)
        op_pos = self.pos
        op = self.operator()
        return FieldComparison(name, op, self.value(op, op_pos, PatternKind.SPACE_DELIMITED))

    # ------------------------------------------------------------------
    # regex and term patterns

    def regex_pattern(self) -> RegexPattern:
        """``regex = "%" aws_regex "%"``, which must be the whole pattern."""
        source = self.regex_body()
        self.skip_ws()
        if not self.at_end():
            raise self.error(
                "a standalone regex must be the whole pattern",
                hint="AWS documents %regex% as a pattern on its own or as a value "
                "in a JSON or space-delimited condition",
                fragment=self.token_at(self.pos),
            )
        return RegexPattern(source)

    def term_pattern(self) -> TermPattern:
        """``terms = { term }``."""
        terms: list[Term] = []
        while True:
            self.skip_ws()
            if self.at_end():
                return TermPattern(tuple(terms))
            terms.append(self.term())

    def term(self) -> Term:
        """``term = [ "?" | "-" ] ( word | quoted )``."""
        mode = self.term_mode()
        if self.peek() == '"':
            text = self.quoted()
            nxt = self.peek()
            if nxt and not nxt.isspace():
                raise self.error("expected a space after the quoted term", fragment=self.token_at(self.pos))
            return Term(text, mode)
        return Term(self.word(), mode)

    def term_mode(self) -> TermMode:
        """``[ "?" | "-" ]``, the optional prefix of a ``term``, directly followed by the term."""
        start = self.pos
        c = self.peek()
        if c not in ("?", "-"):
            return TermMode.REQUIRED
        self.pos += 1
        nxt = self.peek()
        if not nxt or nxt.isspace():
            raise self.error(
                f"'{c}' must be followed directly by a term",
                hint=f"write '{c}term' with no space, or quote a literal '\"{c}\"'",
                position=start,
                fragment=c,
            )
        if nxt in ("?", "-"):
            raise self.error(
                "a term takes at most one '?' or '-' prefix", position=start, fragment=self.token_at(start)
            )
        return TermMode(c)

    def word(self) -> str:
        """``word = { letter | digit | "_" }-``, which a blank or the end of the pattern must follow."""
        start = self.pos
        text = self.run_of(TERM_CHARS)
        nxt = self.peek()
        if nxt and not nxt.isspace():
            token = self.token_at(start)
            reason = f"character {nxt!r} in a term must be inside double quotes"
            hint = f'write "{token}"' if '"' not in token else "quote the term"
            if nxt in ("{", "[", "%") and not text:
                reason = (
                    f"{nxt!r} can only start a pattern: JSON, space-delimited "
                    "and regex patterns cannot be mixed with terms"
                )
                hint = ""
            raise self.error(reason, hint=hint, fragment=nxt)
        return text


def join(kind: type[And] | type[Or], operands: list[Condition]) -> Condition:
    """Build ``kind(operands)``, flattening nested nodes of the same kind.

    ``a && (b && c)`` and ``(a && b) && c`` mean the same, so they get the
    same tree; that keeps rendering canonical.
    """
    if len(operands) == 1:
        return operands[0]
    flat: list[Condition] = []
    for operand in operands:
        if isinstance(operand, kind):
            flat.extend(operand.operands)
        else:
            flat.append(operand)
    return kind(tuple(flat))


def classify_string(text: str) -> StringValue | WildcardValue:
    """Split a string value into exact text or a ``*`` wildcard.

    AWS: "You can use the asterisk '*' wildcard character to match any text
    at, before, or after a search term ... Ev*ent will only match the actual
    string Ev*ent" (archived Filter and Pattern Syntax page), so only a
    leading or trailing ``*`` is a wildcard.
    """
    if text == "*":
        return WildcardValue("", leading=True, trailing=False)
    leading = text.startswith("*")
    trailing = len(text) > 1 and text.endswith("*")
    if not (leading or trailing):
        return StringValue(text)
    core = text[1 if leading else 0 : len(text) - 1 if trailing else len(text)]
    return WildcardValue(core, leading=leading, trailing=trailing)
