"""Interactive widgets for JupyterLab (ipywidgets 8): a GridWorld and the crawler robot,
learning live, driven by any agent with ``act``, ``observe``, ``Q``, ``alpha``, ``epsilon``
and ``gamma``; the soft-optimal policy of a GridWorld under a temperature slider."""

from qlab.widgets.crawler import CrawlerWidget
from qlab.widgets.gridworld import GridWorldWidget
from qlab.widgets.soft import SoftPolicyWidget

__all__ = ["CrawlerWidget", "GridWorldWidget", "SoftPolicyWidget"]
