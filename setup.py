"""The wheel a student installs holds ``qlab`` and only the public part of ``autograde``.

``pip wheel .`` / ``python -m build`` build from pyproject.toml; this hook replaces the built
``autograde`` package with what ``autograde.public.publish`` keeps (the runtime of
``autograde.check`` and the public checks: no hidden check, no catalogue, no grading command).
An editable install (``make lab``, an instructor's checkout) is left whole.
"""

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class StudentBuildPy(build_py):
    def run(self):
        super().run()
        public = HERE / "autograde" / "public.py"
        if self.editable_mode or not public.is_file():  # a student bundle is public already
            return
        spec = importlib.util.spec_from_file_location("autograde_public", public)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.publish(HERE / "autograde", Path(self.build_lib) / "autograde")


setup(cmdclass={"build_py": StudentBuildPy})
