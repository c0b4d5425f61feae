"""A check cell run before its answer cell says which cell to run, not a bare NameError."""

import pytest
from IPython.core.interactiveshell import InteractiveShell

from autograde.hints import hint, install


def test_hint_names_the_answer_cell_only_for_graded_rules():
    try:
        ring_add  # noqa: F821, B018
    except NameError as error:
        assert hint(error) == "name 'ring_add' is not defined: run the answer cell of ring_add first"
    try:
        not_a_rule  # noqa: F821, B018
    except NameError as error:
        assert hint(error) is None


@pytest.fixture
def shell():
    shell = InteractiveShell.instance()
    yield shell
    shell.set_custom_exc((), None)
    InteractiveShell.clear_instance()


def test_a_notebook_shows_the_hint_and_the_cell_still_fails(shell, capsys):
    install()                                   # what `import autograde` does in a notebook
    assert shell.run_cell("from autograde import check").success
    result = shell.run_cell('check("ring_add", ring_add)')
    assert isinstance(result.error_in_exec, NameError)             # Run All stops; nbgrader scores it as before
    out = capsys.readouterr()
    assert "\x1b[0;31mNameError\x1b[0m: name 'ring_add' is not defined: run the answer cell of ring_add first" in out.out
    assert "Traceback" not in out.out and out.err == ""
    result = shell.run_cell("undefined_helper")
    assert isinstance(result.error_in_exec, NameError)
    out = capsys.readouterr().out
    assert "Traceback" in out and "name 'undefined_helper' is not defined" in out and "answer cell" not in out
    assert shell.run_cell("1 + 1").success and capsys.readouterr().err == ""
