"""Logseq simple queries (``{{query (and [[tag]] (task todo))}}``), run at build time.

``parse_query`` reads a query's text into a ``Query`` (``dsl``, into the AST of
``syntax``), raising ``QueryError``
with a one-line reason; ``run_query`` evaluates it over a ``QueryData`` (``data``: the
pages and blocks, built from the resolved graph elsewhere) into a ``QueryResult`` of
blocks or pages (``run``), with the meaning Logseq's file graphs give the query.
"""

from kb_compiler.queries.data import PropertyData, QueryBlock, QueryData, QueryPage
from kb_compiler.queries.dsl import parse_query
from kb_compiler.queries.run import QueryResult, run_query
from kb_compiler.queries.syntax import Query, QueryError, SortBy

__all__ = ["PropertyData", "Query", "QueryBlock", "QueryData", "QueryError", "QueryPage",
           "QueryResult", "SortBy", "parse_query", "run_query"]
