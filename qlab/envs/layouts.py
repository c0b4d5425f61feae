"""The classic CS188 grid layouts, and the parser for layouts given as text.

A layout is rows of whitespace-separated cells, top row first:
``_`` an empty cell, ``#`` a wall, ``S`` the start (an empty cell), and a number
an exit cell that pays that number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LAYOUTS: dict[str, str] = {
    "BookGrid": """
        _ _ _ 1
        _ # _ -1
        S _ _ _
    """,
    "BridgeGrid": """
        # -100 -100 -100 -100 -100 #
        1 S _ _ _ _ 10
        # -100 -100 -100 -100 -100 #
    """,
    "CliffGrid": """
        _ _ _ _ _
        S _ _ _ 10
        -100 -100 -100 -100 -100
    """,
    "CliffGrid2": """
        _ _ _ _ _
        8 S _ _ 10
        -100 -100 -100 -100 -100
    """,
    "DiscountGrid": """
        _ _ _ _ _
        _ # _ _ _
        _ # 1 # 10
        S _ _ _ _
        -10 -10 -10 -10 -10
    """,
    "MazeGrid": """
        _ _ _ 1
        # # _ #
        _ # _ _
        _ # # _
        S _ _ _
    """,
}


@dataclass(frozen=True)
class Layout:
    """A parsed grid: ``walls`` (rows, cols) bool, ``exits`` (rows, cols) float with NaN
    where the cell is not an exit, and the ``start`` cell as (row, col)."""

    walls: np.ndarray
    exits: np.ndarray
    start: tuple[int, int]

    @property
    def shape(self) -> tuple[int, int]:
        return self.walls.shape

    def to_text(self) -> str:
        rows = []
        for r in range(self.shape[0]):
            cells = []
            for c in range(self.shape[1]):
                if self.walls[r, c]:
                    cells.append("#")
                elif not np.isnan(self.exits[r, c]):
                    cells.append(f"{self.exits[r, c]:g}")
                elif (r, c) == self.start:
                    cells.append("S")
                else:
                    cells.append("_")
            rows.append(" ".join(cells))
        return "\n".join(rows)


def parse_layout(layout: str) -> Layout:
    """Parse a layout name from ``LAYOUTS`` or a layout written as text."""
    if not isinstance(layout, str):
        raise TypeError(f"layout must be a name from {sorted(LAYOUTS)} or a text grid; got {type(layout).__name__}")
    text = LAYOUTS.get(layout, layout)
    rows = [line.split() for line in text.strip().splitlines() if line.strip()]
    if len(text.split()) <= 1:
        raise ValueError(
            f"unknown layout {layout!r}: expected one of {sorted(LAYOUTS)} or rows of cells "
            "('_' empty, '#' wall, 'S' start, a number for an exit)"
        )
    widths = {len(row) for row in rows}
    if len(widths) != 1:
        raise ValueError(f"layout rows must all have the same number of cells; got row lengths {[len(r) for r in rows]}")
    shape = (len(rows), widths.pop())
    walls = np.zeros(shape, dtype=bool)
    exits = np.full(shape, np.nan)
    starts = []
    for r, row in enumerate(rows):
        for c, token in enumerate(row):
            if token == "#":
                walls[r, c] = True
            elif token == "S":
                starts.append((r, c))
            elif token != "_":
                try:
                    exits[r, c] = float(token)
                except ValueError:
                    raise ValueError(
                        f"layout cell ({r}, {c}) is {token!r}: expected '_' (empty), '#' (wall), "
                        "'S' (start) or a number (an exit's payoff)"
                    ) from None
    if len(starts) != 1:
        raise ValueError(f"a layout needs exactly one start cell 'S'; found {len(starts)} at {starts}")
    return Layout(walls=walls, exits=exits, start=starts[0])
