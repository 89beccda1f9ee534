"""Documented CloudWatch Logs limits on one filter pattern, and our own.

Sources (see docs/filter-patterns.md for the quotes):

* PutMetricFilter / PutSubscriptionFilter API reference: ``filterPattern``
  "Length Constraints: Minimum length of 0. Maximum length of 1024."
* "Filter pattern syntax for metric filters, subscription filters, filter log
  events, and Live Tail", Supported regular expressions: "There is a limit of
  2 regex for each filter pattern when creating a delimited or JSON filter
  pattern".
* Same page, JSON section: "You can only use up to one wildcard selector in a
  property selector, and up to three wildcard selectors in a filter pattern
  with compound expressions."
"""

from __future__ import annotations

MAX_PATTERN_LENGTH = 1024
"""Characters in one filter pattern (AWS API length constraint)."""

MAX_REGEX_PER_PATTERN = 2
"""``%regex%`` values in one JSON or space-delimited pattern (AWS quota)."""

MAX_WILDCARDS_PER_SELECTOR = 1
"""``.*`` / ``[*]`` segments in one property selector (AWS quota)."""

MAX_WILDCARDS_PER_PATTERN = 3
"""``.*`` / ``[*]`` segments in one whole JSON pattern (AWS quota)."""

MAX_NESTING_DEPTH = 100
"""Parenthesis depth.  Not an AWS limit: it keeps the recursive-descent parser
well inside Python's recursion limit.  A 1,024-character pattern could nest
about 500 deep, which no real pattern does."""
