"""The student's JupyterLab and the widgets in it, driven by a real (headless) browser.

A fixture starts ``jupyter lab`` as ``make lab`` does (the course's student configuration) on
a free port with a random token in a temporary folder; Playwright drives Debian's Chromium
(``/usr/bin/chromium``; Playwright's own browsers are never downloaded) to open a notebook,
Run All Cells from the menu, click the gridworld's Step and Play and check that the picture
changed, and watch the crawler walk; and to open and save a released notebook in a lab with
no pop-up and no instructor tools. Screenshots go to ``build/screenshots/``.
"""

from __future__ import annotations

import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
# What `make lab` puts on JUPYTER_CONFIG_PATH: the student lab's settings, then the course's.
STUDENT_CONFIG_PATH = os.pathsep.join([str(REPO / "autograde" / "student_lab"), str(REPO / "autograde")])
RELEASE = REPO / "notebooks" / "01_value_iteration" / "01_value_iteration.ipynb"
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "build" / "screenshots"
# The notebook the browser runs: assignment 02 with its answers filled in (the release's
# answer cells raise NotImplementedError, which would stop Run All before the widgets).
# None would run the small demo built below instead.
COURSE_NOTEBOOK: Path | None = REPO / "solutions" / "02_q_learning" / "02_q_learning.ipynb"
DEMO_CELLS = [
    "from qlab.envs import GridWorld\nfrom qlab.widgets import CrawlerWidget, GridWorldWidget",
    'grid = GridWorldWidget(GridWorld("BookGrid"), seed=0, steps_per_tick=5, interval_ms=100)\ngrid',
    "crawler = CrawlerWidget(seed=0, steps_per_tick=20)\ncrawler",
]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

KERNEL_IDLE = r"""() => /^(?!No Kernel).*\| Idle$/m.test(document.querySelector('#jp-main-statusbar')?.innerText)"""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(180),
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_notebook(root: Path) -> str:
    """Put the notebook to run in ``root``; return its name."""
    if COURSE_NOTEBOOK is not None:
        shutil.copy(COURSE_NOTEBOOK, root / COURSE_NOTEBOOK.name)
        return COURSE_NOTEBOOK.name
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in DEMO_CELLS])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(notebook, root / "widgets.ipynb")
    return "widgets.ipynb"


def read_terminals_as_text(settings: Path) -> None:
    """Have the lab's terminals keep their text in the page (xterm.js's screen-reader mode), so
    the test can read what a command printed."""
    folder = settings / "@jupyterlab" / "terminal-extension"
    folder.mkdir(parents=True)
    (folder / "plugin.jupyterlab-settings").write_text(json.dumps({"screenReaderMode": True}))


@pytest.fixture(scope="module")
def jupyter_lab(tmp_path_factory):
    """A JupyterLab server of our own: (base url, token, notebook name). Killed at the end."""
    tmp = tmp_path_factory.mktemp("jupyterlab")
    root = tmp / "root"
    root.mkdir()
    shutil.copy(RELEASE, root / RELEASE.name)
    (root / RELEASE.parent.name).mkdir()  # the course's layout too: ASSIGNMENT/ASSIGNMENT.ipynb
    shutil.copy(RELEASE, root / RELEASE.parent.name / RELEASE.name)
    read_terminals_as_text(tmp / "settings")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp / "config"), "JUPYTER_CONFIG_PATH": STUDENT_CONFIG_PATH,
           "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
           "IPYTHONDIR": str(tmp / "ipython"), "PYTHONPATH": str(REPO)}
    port, token = free_port(), secrets.token_hex(16)
    name = write_notebook(root)
    log = (tmp / "jupyter.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}", "--allow-root"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not start; its log:\n{(tmp / 'jupyter.log').read_text()[-3000:]}")
                time.sleep(0.5)
        yield base, token, name, root
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium (a persistent context: a fresh profile of its own)."""
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 1000},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def page(jupyter_lab, browser):
    """The notebook open in headless Chromium, all its cells run."""
    base, token, name, _ = jupyter_lab
    (SCREENSHOTS / "00_failed_to_run.png").unlink(missing_ok=True)
    page = browser.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{base}/lab/tree/{name}?token={token}")
        page.wait_for_function(KERNEL_IDLE)  # a kernel is connected, not just "No Kernel | Initializing"
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
        page.locator(".qlab-gridworld img.qlab-image").wait_for()
        page.locator(".qlab-crawler img.qlab-image").wait_for()
    except Exception:
        page.screenshot(path=SCREENSHOTS / "00_failed_to_run.png")
        raise
    page.screenshot(path=SCREENSHOTS / "01_notebook_run.png")
    yield page
    page.close()


def wait_for_change(read, before, timeout: float = 20.0):
    """Poll ``read()`` until it differs from ``before``; return the new value (or the last one)."""
    deadline = time.monotonic() + timeout
    value = read()
    while value == before and time.monotonic() < deadline:
        time.sleep(0.2)
        value = read()
    return value


def step_count(status) -> int:
    return int(status.inner_text().split("step ")[1].split()[0])


def test_gridworld_step_and_play_change_the_picture(page):
    widget = page.locator(".qlab-gridworld")
    image, status = widget.locator("img.qlab-image"), widget.locator(".qlab-status")
    widget.scroll_into_view_if_needed()
    before_pixels, before_src = image.screenshot(), image.get_attribute("src")
    after_step = before_pixels
    for _ in range(10):  # a step may bump into the edge and change nothing visible
        steps = step_count(status)
        widget.locator(".qlab-step").click()
        assert wait_for_change(lambda: step_count(status), steps) > steps, "Step did not step the agent"
        after_step = image.screenshot()
        if after_step != before_pixels:
            break
    assert after_step != before_pixels, "ten clicks on Step left the grid picture unchanged"
    assert image.get_attribute("src") != before_src
    widget.screenshot(path=SCREENSHOTS / "02_gridworld_after_step.png")

    steps = step_count(status)
    widget.locator(".qlab-play button").first.click()  # play
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        playing = image.screenshot()
        if step_count(status) >= steps + 100 and playing != after_step:
            break
        time.sleep(0.25)
    widget.locator(".qlab-play button").nth(1).click()  # stop
    assert step_count(status) >= steps + 100, "Play did not step the agent"
    assert playing != after_step, "the grid picture did not change while playing"
    widget.screenshot(path=SCREENSHOTS / "03_gridworld_after_play.png")


def test_crawler_animates(page):
    widget = page.locator(".qlab-crawler")
    image, status = widget.locator("img.qlab-image"), widget.locator(".qlab-status")
    widget.scroll_into_view_if_needed()
    before = image.screenshot()
    widget.screenshot(path=SCREENSHOTS / "04_crawler_before.png")
    widget.locator(".qlab-play button").first.click()
    frames = {before}
    deadline = time.monotonic() + 30
    while (len(frames) < 4 or step_count(status) < 400) and time.monotonic() < deadline:
        frames.add(image.screenshot())
        time.sleep(0.3)
    widget.locator(".qlab-play button").nth(1).click()  # stop
    assert len(frames) >= 4, f"the crawler image changed only {len(frames) - 1} times while playing"
    assert step_count(status) >= 400
    widget.screenshot(path=SCREENSHOTS / "05_crawler_after_play.png")
    page.screenshot(path=SCREENSHOTS / "06_page_end.png", full_page=True)


def shut_down_kernel(base: str, token: str, name: str) -> None:
    """End the session (and kernel) of notebook ``name``, as closing the lab for the day does."""
    with urllib.request.urlopen(f"{base}/api/sessions?token={token}") as answer:
        sessions = json.load(answer)
    for session in sessions:
        if session["path"] == name:
            request = urllib.request.Request(f"{base}/api/sessions/{session['id']}?token={token}", method="DELETE")
            urllib.request.urlopen(request).close()


def test_a_saved_notebook_reopens_with_a_note_instead_of_a_missing_widget(page, jupyter_lab, browser):
    """Saving keeps each widget's "run this cell" line, not a reference to a model that is gone
    once the notebook is reopened with a new kernel ("Error displaying widget: model not found")."""
    base, token, name, root = jupyter_lab
    page.locator(".jp-Notebook").first.click()
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.jp-mod-dirty')")
    saved = json.dumps(json.loads((root / name).read_text())["cells"])
    assert "application/vnd.jupyter.widget-view+json" not in saved
    assert "GridWorldWidget: run this cell to show it again" in saved
    assert page.locator(".qlab-gridworld img.qlab-image").is_visible()  # the open notebook keeps its widgets
    page.close()
    shut_down_kernel(base, token, name)
    reopened = browser.new_page()
    reopened.set_default_timeout(60_000)
    try:
        reopened.goto(f"{base}/lab/tree/{name}?token={token}")
        reopened.wait_for_function(KERNEL_IDLE)
        reopened.wait_for_timeout(3000)  # time for the widget manager to look for its models
        note = reopened.get_by_text("GridWorldWidget: run this cell to show it again")
        assert note.is_visible()
        note.screenshot(path=SCREENSHOTS / "09_reopened_widget_note.png")
        assert reopened.get_by_text("Error displaying widget").count() == 0
    finally:
        reopened.close()


def test_student_lab_is_calm_and_a_release_opens_and_saves_unchanged(jupyter_lab, browser):
    """No news pop-up, no nbgrader instructor tools (Validate stays); opening a released
    notebook does not mark it modified, and saving it leaves the file byte for byte; Run All on
    it stops at the first exercise with "implement q_backup first", not a traceback.

    The release's ``language_info`` is the kernel's for this course's Python; a kernel of
    another Python version writes its own version there, and only that."""
    base, token, _, root = jupyter_lab
    path = root / RELEASE.name
    original = path.read_bytes()
    same_python = json.loads(original)["metadata"]["language_info"]["version"] == platform.python_version()
    lab = browser.new_page()
    lab.set_default_timeout(60_000)
    try:
        lab.goto(f"{base}/lab/tree/{RELEASE.name}?token={token}&reset")  # only this notebook open
        lab.wait_for_function(KERNEL_IDLE)
        lab.wait_for_timeout(3000)  # time for a pop-up or a metadata update to show
        lab.screenshot(path=SCREENSHOTS / "07_student_lab_release_open.png")
        menus = lab.locator("#jp-menu-panel .lm-MenuBar-itemLabel").all_inner_texts()
        assert "Kernel" in menus and not any("nbgrader" in m.lower() for m in menus), menus
        assert lab.locator(".jp-toast-message, .Toastify__toast").count() == 0, "a pop-up is showing"
        assert lab.get_by_text(re.compile("Create Assignment|Formgrader|Course List|Assignment List")).count() == 0
        assert lab.locator(".jp-NotebookPanel:visible .jp-Toolbar >> text=Validate").count() == 1
        with urllib.request.urlopen(f"{base}/api/me?token={token}"):  # the server answers...
            pass
        with pytest.raises(urllib.error.HTTPError):                    # ...but serves no formgrader
            urllib.request.urlopen(f"{base}/formgrader?token={token}")
        tab = lab.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=RELEASE.name)
        if same_python:
            assert "jp-mod-dirty" not in tab.get_attribute("class"), "opening the release marked it modified"
        lab.locator(".jp-Notebook").click()
        lab.keyboard.press("Control+s")
        lab.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.jp-mod-dirty')")
        lab.wait_for_timeout(1000)
        saved = path.read_bytes()
        if same_python:
            assert saved == original, "saving the release rewrote it"
        else:
            assert saved.replace(platform.python_version().encode(), b"") == original.replace(
                json.loads(original)["metadata"]["language_info"]["version"].encode(), b"")

        # Run All on the untouched release stops at the first exercise, saying what to do.
        lab.locator(".lm-MenuBar-item", has_text="Run").first.click()
        lab.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
        error = lab.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").first
        error.wait_for()
        error.scroll_into_view_if_needed()
        lab.wait_for_function(KERNEL_IDLE)
        lab.screenshot(path=SCREENSHOTS / "08_release_run_all.png")
        assert error.inner_text().startswith("ChecksFailed: implement q_backup first")
        assert "Traceback" not in error.inner_text()
    finally:
        lab.close()


def terminal_text(lab) -> str:
    """What the terminal shows now (one line per row)."""
    return lab.locator(".jp-Terminal:visible .xterm-accessibility-tree").inner_text()


def run_in_terminal(lab, command: str, until: str, timeout: float = 120.0) -> str:
    """Type ``command`` in the visible terminal; wait until its text contains ``until``."""
    before = terminal_text(lab)
    lab.locator(".jp-Terminal:visible .xterm-helper-textarea").focus()
    lab.keyboard.type(command + "\n")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = terminal_text(lab)
        if text.count(until) > before.count(until):
            return text
        time.sleep(0.5)
    raise AssertionError(f"{command!r} did not print {until!r}; the terminal shows:\n{terminal_text(lab)}")


def open_terminal_from_menu(lab) -> None:
    lab.locator(".lm-MenuBar-item", has_text="File").first.click()
    lab.locator(".lm-Menu-item", has_text="New").first.hover()
    lab.locator(".lm-Menu-item[data-command='terminal:create-new']").click()
    lab.locator(".jp-Terminal:visible .xterm-accessibility-tree").wait_for()


def open_terminal_from_launcher(lab, folder: str) -> None:
    """Open ``folder`` in the file browser, then the Launcher's Terminal (it starts in that folder)."""
    lab.locator(".jp-DirListing-item", has_text=folder).first.dblclick()
    lab.locator(".jp-BreadCrumbs", has_text=folder).wait_for()
    lab.locator(".jp-FileBrowser .jp-ToolbarButtonComponent[data-command='launcher:create']").click()
    lab.locator(".jp-Launcher:visible .jp-LauncherCard[title='Start a new terminal session']").click()
    lab.locator(".jp-Terminal:visible .xterm-accessibility-tree").wait_for()


def test_am_i_done_works_in_every_terminal_of_the_lab(jupyter_lab, browser, tmp_path):
    """README's "Am I done?" as a student types it: `qlab-check 01` in File ▸ New ▸ Terminal
    (which starts in the lab's root) and in the Launcher's terminal (which starts in the folder
    the file browser shows, here the notebook's) prints the points table."""
    base, token, _, root = jupyter_lab
    lab = browser.new_page()
    lab.set_default_timeout(60_000)
    shot = tmp_path / "lab_terminal_qlab_check.png"
    try:
        lab.goto(f"{base}/lab?token={token}")
        lab.locator(".jp-DirListing-item").first.wait_for()
        open_terminal_from_menu(lab)
        assert str(root) in run_in_terminal(lab, "pwd; command -v qlab-check", "/bin/qlab-check")
        text = run_in_terminal(lab, "qlab-check 01", "graded in")
        assert re.search(r"rule +points +max", text) and re.search(r"total +0\.00", text), text
        assert "command not found" not in text
        lab.screenshot(path=shot)

        folder = RELEASE.parent.name
        open_terminal_from_launcher(lab, folder)
        assert str(root / folder) in run_in_terminal(lab, "pwd", str(root / folder))
        text = run_in_terminal(lab, "qlab-check", "graded in")
        assert re.search(r"rule +points +max", text), text
        lab.screenshot(path=tmp_path / "lab_launcher_terminal_qlab_check.png")
        print(f"screenshots: {shot} and {tmp_path / 'lab_launcher_terminal_qlab_check.png'}")
    except Exception:
        lab.screenshot(path=shot)
        print(f"screenshot: {shot}")
        raise
    finally:
        lab.close()
