"""qlab.viz.live: learning curves and a progress bar that update in place."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from qlab.viz.live import LiveCurves, plot_runs  # noqa: E402


def test_live_curves_collect_points_and_draw_each_group(capsys):
    groups = {"a": ["a, seed 1", "a, seed 2"], "b": ["b, seed 1"]}
    curves = LiveCurves("test", 300, [r for runs in groups.values() for r in runs], goal=475, groups=groups)
    for run in curves.runs:
        curves.progress(run, 50)
        for step in (100, 200, 300)[: 2 if run == "a, seed 2" else 3]:  # one run stopped early
            curves.add_point(run, step, step / 10)
    curves.finish("all done")
    assert curves.curves["a, seed 2"] == ([100, 200], [10.0, 20.0])
    figure = curves._draw(final=True)
    labels = figure.axes[0].get_legend_handles_labels()[1]
    assert labels == ["a", "b"]
    assert "run 1 of 3" in curves._bar_html("a, seed 1", 100) and "all done" in curves._bar_html(None, 300, "all done")


def test_plot_runs_leaves_early_finishers_out_of_the_mean_after_their_end():
    fig, ax = plt.subplots()
    plot_runs(ax, {"x": ([1, 2, 3], [1.0, 2.0, 3.0]), "y": ([1], [5.0])}, label="mean")
    mean_line = [line for line in ax.lines if line.get_label() == "mean"][0]
    assert mean_line.get_ydata().tolist() == [3.0, 2.0, 3.0]
    plt.close(fig)


def test_one_run_is_not_called_a_mean_of_1_runs():
    curves = LiveCurves("test", 300, ["seed 1"])
    curves.add_point("seed 1", 100, 10.0)
    curves.finish()
    assert list(curves.groups) == ["seed 1"]
    assert "done: 1 run in" in curves._bar_html(None, 300)
    assert list(LiveCurves("test", 300, ["seed 1", "seed 2"]).groups) == ["mean of 2 runs"]
