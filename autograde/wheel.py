"""The wheel a student installs holds ``qlab`` and only the public part of ``autograde``.

pyproject.toml names ``StudentBuildPy`` as setuptools' ``build_py``: after the usual build it
replaces the built ``autograde`` with what ``autograde.classroom.public.publish`` keeps (the runtime of
``autograde.check``, the public checks, this file). An editable install (``make lab``, an
instructor's checkout) is left whole, and so is a student bundle (it has no public.py).
setuptools loads this file on its own, not as part of the package: it needs only setuptools.
"""

import importlib.util
from pathlib import Path

from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class StudentBuildPy(build_py):
    def run(self):
        super().run()
        public = HERE / "classroom" / "public.py"
        if self.editable_mode or not public.is_file():
            return
        spec = importlib.util.spec_from_file_location("qlab_build_public", public)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.publish(HERE, Path(self.build_lib) / "autograde")
