"""A notebook's NameError for a graded rule says what to do.

A student who runs a check cell (``check("ring_add", ring_add)``) before the answer cell that
defines ``ring_add`` gets, instead of a bare ``NameError``::

    NameError: name 'ring_add' is not defined: run the answer cell of ring_add first

:func:`install` registers this with the running IPython shell (JupyterLab's kernel) when a
notebook imports ``autograde``; every other exception is shown as IPython always shows it. The
error is still an error (the cell fails, Run All stops, nbgrader scores the cell as before).
"""

from __future__ import annotations

import sys

__all__ = ["install", "hint"]


def install() -> None:
    """Show :func:`hint` for NameErrors of graded rules in the running IPython shell, if any."""
    if "IPython" not in sys.modules:   # no notebook, no shell to tell
        return
    shell = sys.modules["IPython"].get_ipython()
    if shell is not None:
        shell.set_custom_exc((NameError,), _show_name_error)


def hint(error: NameError) -> str | None:
    """The advice for a NameError whose name is a graded rule; None for any other name."""
    from autograde.registry import RULES

    name = getattr(error, "name", None)
    if name not in RULES:
        return None
    return f"name {name!r} is not defined: run the answer cell of {name} first"


def _show_name_error(shell, etype, value, tb, tb_offset=None):
    advice = hint(value)
    if advice is None:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    else:
        shell._showtraceback(etype, value, [f"\x1b[0;31m{etype.__name__}\x1b[0m: {advice}"])
