"""Interactive widgets for JupyterLab (ipywidgets 8): a GridWorld and the crawler robot,
learning live, driven by any agent with ``act``, ``observe``, ``Q``, ``alpha``, ``epsilon``
and ``gamma``."""

from qlab.widgets.crawler import CrawlerWidget
from qlab.widgets.gridworld import GridWorldWidget

__all__ = ["CrawlerWidget", "GridWorldWidget"]
