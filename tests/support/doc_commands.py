"""The shell commands of a Markdown document: its fenced code blocks, split into commands, for tests that run
a document as written or compare two documents' commands."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

__all__ = ["Block", "commands", "fenced_blocks", "headings", "normalized", "section", "subsequence_gaps"]

_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[ \t]*$")
_HEREDOC = re.compile(r"<<-?[ \t]*(['\"]?)(?P<word>\w+)\1")


@dataclass(frozen=True)
class Block:
    """One fenced code block: its language tag, its text (indent removed) and where it starts."""

    lang: str
    text: str
    line: int
    """1-based line of the opening fence in the document."""

    def commands(self) -> list[str]:
        return commands(self.text)


def fenced_blocks(markdown: str, lang: str | None = "bash") -> list[Block]:
    """The fenced blocks of `markdown` tagged `lang` (every tagged block when None), in document order."""
    blocks: list[Block] = []
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None or not opening["lang"]:
            index += 1
            continue
        indent, start, body = opening["indent"], index + 1, []
        index += 1
        while index < len(lines) and lines[index].strip() != "```":
            line = lines[index]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            index += 1
        if index == len(lines):
            raise ValueError(f"the code block opened on line {start} is never closed")
        if lang is None or opening["lang"] == lang:
            blocks.append(Block(opening["lang"], "\n".join(body) + "\n", start))
        index += 1
    return blocks


def headings(markdown: str) -> list[tuple[int, int, str]]:
    """The headings outside code blocks: (1-based line, level, title)."""
    found, in_code = [], False
    for number, line in enumerate(markdown.splitlines(), start=1):
        if line.lstrip().startswith("```"):
            in_code = not in_code
        match = None if in_code else re.match(r"^(#+)\s+(.*?)\s*$", line)
        if match:
            found.append((number, len(match[1]), match[2]))
    return found


def section(markdown: str, heading: str) -> str:
    """The text under the heading `heading` (any level), up to the next heading of the same or a higher
    level; ValueError when the document has no such heading or has it twice."""
    all_headings = headings(markdown)
    found = [(line, level) for line, level, title in all_headings if title == heading]
    if len(found) != 1:
        raise ValueError(f"expected one heading {heading!r}, found {len(found)}")
    start, level = found[0]
    end = next((line for line, other, _ in all_headings if line > start and other <= level), None)
    lines = markdown.splitlines()
    return "\n".join(lines[start : None if end is None else end - 1]) + "\n"


def commands(script: str) -> list[str]:
    """The commands of a shell script: continuation lines joined, a heredoc kept with its command,
    blank lines and whole-line comments dropped. A command is its lines joined with newlines."""
    found: list[str] = []
    lines = script.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [line]
        while parts[-1].endswith("\\") and index < len(lines):
            parts.append(lines[index])
            index += 1
        for heredoc in _HEREDOC.finditer(" ".join(parts)):
            while index < len(lines):
                parts.append(lines[index])
                index += 1
                if parts[-1].strip() == heredoc["word"]:
                    break
            else:
                raise ValueError(f"heredoc {heredoc['word']!r} of {parts[0]!r} is never closed")
        found.append("\n".join(parts))
    return found


def normalized(command: str) -> str:
    """A command as the shell splits it, comments and quoting aside, for comparing two documents: each line
    becomes its words joined by one space (a line the shell could not split is kept, stripped)."""
    out = []
    for line in command.splitlines():
        try:
            out.append(" ".join(shlex.split(line, comments=True)))
        except ValueError:
            out.append(line.strip())
    return "\n".join(out).strip()


def subsequence_gaps(wanted: list[str], among: list[str]) -> list[str]:
    """The items of `wanted` that do not appear in `among` in the same order (empty: a subsequence)."""
    missing, position = [], 0
    for item in wanted:
        try:
            position = among.index(item, position) + 1
        except ValueError:
            missing.append(item)
    return missing
