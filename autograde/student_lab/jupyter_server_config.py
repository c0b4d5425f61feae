"""The student lab's terminals, and how it saves notebooks.

Terminals: jupyter_server would start ``$SHELL -l``, whose profile resets PATH to the system's;
here bash reads the same profile from ``terminal_rc.sh``, then puts this Python's scripts folder
(the course's .venv/bin) back in front, so ``qlab-check`` is found in File ▸ New ▸ Terminal and
in the Launcher's terminal. Saving: see ``qlab.jupyter``. The other student settings are in the
JSON file beside this one.
"""

import sysconfig
from pathlib import Path

c = get_config()  # noqa: F821  (given by Jupyter when it loads this file)

TERMINAL_RC = Path(__file__).with_name("terminal_rc.sh")
c.ServerApp.terminado_settings = {
    "shell_command": ["env", f"QLAB_BIN={sysconfig.get_path('scripts')}", "bash", "--rcfile", str(TERMINAL_RC), "-i"],
}

# Widgets live in the kernel: a saved notebook keeps their plain-text line, not a reference
# that would read "Error displaying widget: model not found" once reopened (see qlab.jupyter).
c.ContentsManager.pre_save_hook = "qlab.jupyter.drop_widget_views"
