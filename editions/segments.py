"""The words of a notebook, cut into the pieces a translator translates, and put back.

A markdown cell is cut into blocks at blank lines, as mdpo cuts Markdown into paragraphs, headings
and list blocks: a fenced code block or a ``$$`` display formula stays whole and untranslated. A
code cell gives its comments and the string literals that read as prose (a space and a word in
them: what ``print`` shows, a plot's labels); nothing else in it changes, so the code that runs is
the same in every edition. The graded test cells, whose source nbgrader locks and checks, are
never touched, nor nbgrader's own markers (``### BEGIN SOLUTION``).
"""

from __future__ import annotations

import io
import re
import token
import tokenize
from collections.abc import Callable, Iterator
from dataclasses import dataclass

FENCE = re.compile(r"^\s*(```|~~~)")
DISPLAY_MATH = re.compile(r"^\s*\$\$")
NBGRADER_MARKER = re.compile(r"^#+\s*(BEGIN|END) (SOLUTION|HIDDEN TESTS)\b")
PROSE = re.compile(r"(?=.*[A-Za-zÀ-ÿ]{2})(?=.*\s)", re.S)
"""A string literal that reads as prose: a word of two letters and a space somewhere."""
STRING_PREFIX = re.compile(r"^([A-Za-z]*)('''|\"\"\"|'|\")")


@dataclass(frozen=True)
class Piece:
    """One translatable text: ``kind`` is "markdown", "comment" or "string"; ``text`` the msgid."""

    kind: str
    text: str


def locked(cell: dict) -> bool:
    """A graded test cell (nbgrader's grade without solution): compared byte for byte, never translated."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


# --- markdown -------------------------------------------------------------------------------


def markdown_blocks(text: str) -> list[tuple[str, bool]]:
    """The text as consecutive (chunk, translatable) pairs that join back to it exactly: blocks
    separated by their blank lines; fenced code and display math are not translatable."""
    chunks: list[tuple[str, bool]] = []
    block: list[str] = []
    closing: re.Pattern | None = None  # inside a fence or $$ ... $$: the line that ends it

    def flush():
        if block:
            body = "".join(block)
            stripped = body.strip()
            whole_fence = FENCE.match(stripped) is not None
            whole_math = stripped.startswith("$$") and stripped.endswith("$$")
            chunks.append((body, not (whole_fence or whole_math) and re.search(r"[A-Za-zÀ-ÿ]{2}", body) is not None))
            block.clear()

    for line in text.splitlines(keepends=True):
        if closing is not None:
            block.append(line)
            if closing.match(line):
                closing = None
            continue
        if not line.strip():
            flush()
            chunks.append((line, False))
            continue
        block.append(line)
        if FENCE.match(line):
            closing = re.compile(r"^\s*" + re.escape(FENCE.match(line).group(1)))
        elif DISPLAY_MATH.match(line) and line.count("$$") == 1:
            closing = re.compile(r".*\$\$")
    flush()
    return chunks


def _split_trailing_newlines(body: str) -> tuple[str, str]:
    stripped = body.rstrip("\n")
    return stripped, body[len(stripped):]


# --- code -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A comment or a string literal in a code cell: its place, its kind and its msgid."""

    start: int
    end: int
    kind: str
    text: str
    literal: tuple[int, int] = (0, 0)
    """For a string, where the whole literal (prefix and quotes included) starts and ends."""


def _offsets(source: str) -> list[int]:
    starts, total = [0], 0
    for line in source.splitlines(keepends=True):
        total += len(line)
        starts.append(total)
    return starts


def _string_literals(tokens: list[tokenize.TokenInfo]) -> Iterator[tuple[tuple[int, int], tuple[int, int]]]:
    """The (start, end) of each whole string literal; an f-string is one token before Python 3.12
    and FSTRING_START ... FSTRING_END after it."""
    fstring_start = getattr(token, "FSTRING_START", None)
    fstring_end = getattr(token, "FSTRING_END", None)
    depth, begin = 0, None
    for tok in tokens:
        if fstring_start is not None and tok.type == fstring_start:
            if depth == 0:
                begin = tok.start
            depth += 1
        elif fstring_end is not None and tok.type == fstring_end:
            depth -= 1
            if depth == 0:
                yield begin, tok.end
        elif tok.type == tokenize.STRING and depth == 0:
            yield tok.start, tok.end


def _tokens(source: str) -> tuple[list[tokenize.TokenInfo] | None, Callable[[tuple[int, int]], int]]:
    """The cell's tokens (None when it does not tokenize: an unterminated string or bracket) and
    the function from a token's (row, column) to its offset in ``source``."""
    starts = _offsets(source)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        tokens = None
    return tokens, lambda pos: starts[pos[0] - 1] + pos[1]


def code_spans(source: str) -> list[Span]:
    """The comments and prose string literals of a code cell, in order. A cell that does not
    tokenize gives nothing: it stays as it is in every edition."""
    return _spans(source, *_tokens(source))


def _spans(source: str, tokens: list[tokenize.TokenInfo] | None, at: Callable[[tuple[int, int]], int]) -> list[Span]:
    spans = []
    for tok in tokens or []:
        if tok.type == tokenize.COMMENT:
            match = re.match(r"#+ ?", tok.string)
            body = tok.string[match.end():]
            if body.strip() and not NBGRADER_MARKER.match(tok.string) and not body.startswith("noqa"):
                spans.append(Span(at(tok.start) + match.end(), at(tok.end), "comment", body))
    for begin, end in _string_literals(tokens or []):
        literal = source[at(begin):at(end)]
        match = STRING_PREFIX.match(literal)
        if not match or "b" in match.group(1).lower():
            continue
        quote = match.group(2)
        body = literal[match.end():len(literal) - len(quote)]
        if PROSE.match(body):
            spans.append(Span(at(begin) + match.end(), at(end) - len(quote), "string", body, (at(begin), at(end))))
    return sorted(spans, key=lambda s: s.start)


# --- both -----------------------------------------------------------------------------------


def pieces(cell: dict) -> list[Piece]:
    """What a translator translates in one cell, in order."""
    if cell.get("cell_type") == "markdown":
        return [Piece("markdown", _split_trailing_newlines(chunk)[0])
                for chunk, translatable in markdown_blocks(_source(cell)) if translatable]
    if cell.get("cell_type") == "code" and not locked(cell):
        return [Piece(span.kind, span.text) for span in code_spans(_source(cell))]
    return []


def translate_cell(cell: dict, translate: Callable[[Piece], str]) -> str:
    """The cell's source with every piece replaced by ``translate(piece)``."""
    source = _source(cell)
    if cell.get("cell_type") == "markdown":
        out = []
        for chunk, translatable in markdown_blocks(source):
            if translatable:
                body, newlines = _split_trailing_newlines(chunk)
                chunk = translate(Piece("markdown", body)) + newlines
            out.append(chunk)
        return "".join(out)
    if cell.get("cell_type") == "code" and not locked(cell):
        for span in reversed(code_spans(source)):
            source = source[:span.start] + translate(Piece(span.kind, span.text)) + source[span.end:]
    return source


def code_skeleton(source: str) -> list[tuple[int, str]]:
    """A code cell's tokens with comments left out and each prose string literal reduced to one
    marker: what must be the same in every edition."""
    tokens, at = _tokens(source)
    if tokens is None:
        return [(-1, source)]  # not Python that tokenizes: then the cell must be the same byte for byte
    literals = [s.literal for s in _spans(source, tokens, at) if s.kind == "string"]
    skeleton: list[tuple[int, str]] = []
    for tok in tokens:
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            continue
        inside = next((lit for lit in literals if lit[0] <= at(tok.start) and at(tok.end) <= lit[1]), None)
        if inside is None:
            skeleton.append((tok.type, tok.string))
        elif at(tok.start) == inside[0]:
            skeleton.append((tokenize.STRING, "<prose>"))
    return skeleton
