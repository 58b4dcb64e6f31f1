"""The Obsidian Bases expression language: filters and formulas, parsed once, run per file.

Public API
----------
``parse_expression(text) -> Expression``
    Parse one filter or formula (cached on the text). Bad text raises ``ExpressionError``:
    ``.message`` says what was expected, ``.offset`` is the 0-based position, and
    ``str(error)`` reads ``expected ')' at column 14`` (the column is that same offset).
``evaluate(expression, scope) -> object``
    The value for one file. Unknown functions, methods, fields and formulas, wrong argument
    counts or types, and formulas that refer to themselves raise ``EvaluationError``.
``Scope(file, this, formulas, environment, variables={})``
    What an expression sees. Make one per evaluated file: it memoises ``formula.X`` values.
    ``variables`` binds extra names (as ``filter``/``map``/``reduce`` bind ``value``).
``property_value(raw, scope)``
    A frontmatter value as an expression value (wikilinks become ``Link``, dates ``DateValue``).
``to_text(value)``, ``truthy(value)``
    Obsidian's plain-text form of a value, and how filters, ``if`` and ``!`` read it.
``sort_key(value)``
    ``(is_empty, rank, key)``: ascending, empties last. For descending with empties still
    last, sort twice (both sorts are stable)::

        rows.sort(key=lambda row: sort_key(value_of(row))[1:], reverse=True)
        rows.sort(key=lambda row: sort_key(value_of(row))[0])

Values are ``None``, ``bool``, ``int``/``float``, ``str``, ``tuple`` (list), ``dict``
(object), ``Link``, ``FileValue``, ``DateValue``, ``Duration``, ``Regex``, ``Html``,
``Image`` and ``Icon``. ``FileRecord`` and ``Environment`` are what the loader supplies.

Choices where Obsidian's help is silent
---------------------------------------
- Numbers behave like JavaScript doubles: integral results are ints, ints beyond 2**53
  become floats, ``/`` or ``%`` by zero is null, ``round`` is ``Math.round`` (half up) and
  ``toFixed`` rounds the exact binary value half away from zero.
- Arithmetic with null is null, except ``+`` with text, where null reads as "". ``-``, ``*``,
  ``/`` and ``%`` read numeric text as numbers; ``<`` and friends compare numbers with
  numeric text and dates with date text, and are false for anything else (null included).
- ``==`` is strict about types, except links/files (same target) and a date against date
  text. ``contains`` on lists is looser: "#tag" matches "tag", and text matches a link
  whose target, path or file name is that text (case-insensitively).
- ``containsAll``/``containsAny`` spread list arguments: ``a.containsAny(this.topics)``.
- ``list(null)`` is an empty list; ``flat()`` flattens one level, as in JavaScript.
- Methods on null: ``isEmpty`` true, ``toString`` "", ``isTruthy``/``contains*``/
  ``startsWith``/``endsWith``/``has*``/``inFolder``/``matches``/``linksTo`` false,
  ``length`` 0, other known methods and fields null.
- ``title()`` upper-cases the first letter of each word and leaves the rest alone.
- A ``this`` that is None (no embedding file) makes ``this``, ``this.x`` and ``this.file`` null.
- ``number(date)`` counts milliseconds from 1970-01-01 with the naive time read as UTC.
- Duration fields divide the whole length: a month is 365.25 / 12 days, a year 365.25 days.
"""

from kb_compiler.bases.expressions.compare import sort_key
from kb_compiler.bases.expressions.evaluate import evaluate, property_value
from kb_compiler.bases.expressions.scope import Scope
from kb_compiler.bases.expressions.syntax import Binary as Binary
from kb_compiler.bases.expressions.syntax import Call as Call
from kb_compiler.bases.expressions.syntax import Expression, ExpressionError, parse_expression
from kb_compiler.bases.expressions.syntax import Index as Index
from kb_compiler.bases.expressions.syntax import ListLiteral as ListLiteral
from kb_compiler.bases.expressions.syntax import Literal as Literal
from kb_compiler.bases.expressions.syntax import Member as Member
from kb_compiler.bases.expressions.syntax import MethodCall as MethodCall
from kb_compiler.bases.expressions.syntax import Name as Name
from kb_compiler.bases.expressions.syntax import ObjectLiteral as ObjectLiteral
from kb_compiler.bases.expressions.syntax import Unary as Unary
from kb_compiler.bases.expressions.text import to_text
from kb_compiler.bases.expressions.values import (
    DateValue,
    Duration,
    Environment,
    EvaluationError,
    FileRecord,
    FileValue,
    Html,
    Icon,
    Image,
    Link,
    truthy,
)
from kb_compiler.bases.expressions.values import Regex as Regex

__all__ = [
    "DateValue",
    "Duration",
    "Environment",
    "EvaluationError",
    "Expression",
    "ExpressionError",
    "FileRecord",
    "FileValue",
    "Html",
    "Icon",
    "Image",
    "Link",
    "Scope",
    "evaluate",
    "parse_expression",
    "property_value",
    "sort_key",
    "to_text",
    "truthy",
]
