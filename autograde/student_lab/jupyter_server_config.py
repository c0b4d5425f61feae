"""The student lab's terminals: what a login shell sets up, then the course's environment first
on PATH, so that ``qlab-check`` is found in File ▸ New ▸ Terminal and the Launcher's terminal.

jupyter_server would start ``$SHELL -l``, whose profile resets PATH to the system's; here bash
reads the same profile from ``terminal_rc.sh`` and puts this Python's scripts folder (the
course's .venv/bin) back in front. The other student settings are in the JSON file beside this.
"""

import sysconfig
from pathlib import Path

c = get_config()  # noqa: F821  (given by Jupyter when it loads this file)

TERMINAL_RC = Path(__file__).with_name("terminal_rc.sh")
c.ServerApp.terminado_settings = {
    "shell_command": ["env", f"QLAB_BIN={sysconfig.get_path('scripts')}", "bash", "--rcfile", str(TERMINAL_RC), "-i"],
}
