"""The training command line refuses every option a run cannot use before it writes anything,
a run that fails leaves nothing that blocks the next one, and ``plot`` skips, naming them, the
folders it cannot read."""

import subprocess
import sys

import matplotlib
import pytest
import torch

from qlab.__main__ import main
from qlab.agents.ddpg import DDPG
from qlab.agents.dqn import DQN
from test_cli import TINY

matplotlib.use("Agg")


def run_cli(args, capsys):
    """``(exit code, stderr)`` of ``python -m qlab ARGS``, argparse's own exits included."""
    try:
        code = main(args)
    except SystemExit as exit:
        code = exit.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize("algo, option, expected", [
    ("dqn", ["--total-steps", "-5"], "argument --total-steps: expected an integer >= 1, got -5"),
    ("dqn", ["--total-steps", "0"], "argument --total-steps: expected an integer >= 1, got 0"),
    ("dqn", ["--batch-size", "0"], "argument --batch-size: expected an integer >= 1, got 0"),
    ("dqn", ["--eval-every", "-10"], "argument --eval-every: expected an integer >= 0, got -10"),
    ("dqn", ["--learning-starts", "-1"], "argument --learning-starts: expected an integer >= 0, got -1"),
    ("dqn", ["--eps-start", "2"], "argument --eps-start: expected a number in [0, 1], got 2.0"),
    ("dqn", ["--gamma", "nan"], "argument --gamma: expected a number in [0, 1], got nan"),
    ("dqn", ["--tau", "0"], "argument --tau: expected a number in (0, 1], got 0.0"),
    ("dqn", ["--lr", "-0.1"], "argument --lr: expected a number > 0, got -0.1"),
    ("dqn", ["--seed", "-1"], "argument --seed: expected an integer >= 0, got -1"),
    ("dqn", ["--hidden", "16", "0"], "argument --hidden: expected layer sizes, integers >= 1, got 16 0"),
    ("dqn", ["--num-envs", "0"], "argument --num-envs: expected an integer >= 1, got 0"),
    ("dqn", ["--batch-size", "64", "--buffer-size", "32"],
     "argument --batch-size: expected at most --buffer-size (32), got 64 (batches are drawn from the replay buffer)"),
    ("dqn", ["--prioritized"], "argument --n-step: expected 1 with --prioritized, got 3"),
    ("dqn", ["--device", "tpu"], "argument --device: expected cpu, cuda or cuda:N, got tpu"),
    ("dqn", ["--distributional", "--n-atoms", "1"], "argument --n-atoms: expected an integer >= 2, got 1"),
    ("dqn", ["--distributional", "--v-min", "nan"], "argument --v-min: expected a finite number, got nan"),
    ("dqn", ["--distributional", "--v-min", "5", "--v-max", "5"],
     "argument --v-max: expected a number > --v-min (5), got 5.0 (the support runs from v_min to v_max)"),
    ("dqn", ["--noisy", "--env", "qlab/MinAtar-Breakout-v0"],
     "argument --env: expected an environment with flat observations with --noisy, got qlab/MinAtar-Breakout-v0 "
     "(--noisy networks are MLPs here)"),
    ("ddpg", ["--exploration-noise", "-0.1"], "argument --exploration-noise: expected a number >= 0, got -0.1"),
    ("ddpg", ["--actor-lr", "0"], "argument --actor-lr: expected a number > 0, got 0.0"),
    ("ddpg", ["--eval-episodes", "0"], "argument --eval-episodes: expected an integer >= 1, got 0"),
    ("ddpg", ["--total-steps", "0"], "argument --total-steps: expected an integer >= 1, got 0"),
    ("sac", ["--alpha", "0"], "argument --alpha: expected a number > 0, got 0.0"),
    ("sac", ["--alpha-lr", "-0.1"], "argument --alpha-lr: expected a number > 0, got -0.1"),
    ("sac", ["--target-entropy", "inf"], "argument --target-entropy: expected a finite number, got inf"),
    ("sac", ["--tau", "1.5"], "argument --tau: expected a number in (0, 1], got 1.5"),
])
def test_a_bad_option_is_one_line_and_creates_nothing(algo, option, expected, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, err = run_cli(["train", algo, *option, "--out", "run"], capsys)
    assert code == 2 and "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"python -m qlab train {algo}: error: {expected}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(torch.cuda.is_available(), reason="this torch has CUDA")
def test_cuda_without_cuda_is_one_line_from_the_real_command_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "qlab", "train", "dqn", "--device", "cuda", "--out", "run"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("python -m qlab train dqn: error: argument --device: expected cpu, got cuda "
                                  f"(this torch, {torch.__version__}, sees no CUDA device)\n")
    assert list(tmp_path.iterdir()) == []


def test_out_must_be_a_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("mine")
    code, err = run_cli(["train", "ddpg", "--out", "notes.txt"], capsys)
    assert code == 2 and "argument --out: expected a folder, got notes.txt (that is a file)" in err
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("algo, agent, failure", [
    ("dqn", DQN, RuntimeError("out of memory")),
    ("ddpg", DDPG, KeyboardInterrupt()),
])
def test_a_run_that_fails_before_its_first_checkpoint_leaves_nothing(algo, agent, failure, tmp_path, monkeypatch,
                                                                     capsys):
    monkeypatch.chdir(tmp_path)

    def fail(self, batch):
        raise failure

    with monkeypatch.context() as patch:
        patch.setattr(agent, "update", fail)   # fails after the warm-up, once episodes.csv is written
        if isinstance(failure, KeyboardInterrupt):
            code, err = run_cli(["train", algo, *TINY, "--out", "run"], capsys)
            assert code == 130 and err.splitlines()[-1] == "interrupted"
        else:
            with pytest.raises(RuntimeError, match="out of memory"):
                main(["train", algo, *TINY, "--out", "run"])
            err = capsys.readouterr().err
    assert "the run stopped before its first checkpoint: removed what it wrote in run" in err
    assert list(tmp_path.iterdir()) == []
    assert main(["train", algo, *TINY, "--out", "run"]) == 0     # the same --out works again
    assert (tmp_path / "run" / "checkpoint.pt").is_file()


def test_a_failed_run_in_a_folder_it_did_not_make_removes_only_its_files(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "notes.txt").write_text("mine")
    monkeypatch.setattr(DQN, "update", lambda self, batch: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        main(["train", "dqn", *TINY, "--out", "run"])
    assert [p.name for p in (tmp_path / "run").iterdir()] == ["notes.txt"]


def test_an_unfinished_run_is_named_as_such_not_sent_to_a_missing_checkpoint(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "episodes.csv").write_text("step,episode_return,length\n20,20.0,20\n")
    code, err = run_cli(["train", "dqn", *TINY, "--out", "run"], capsys)
    assert code == 2
    assert "run holds an unfinished run (no checkpoint.pt to continue it from): delete that folder" in err


def test_resuming_checks_the_options_and_the_checkpoints_values(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "dqn", *TINY, "--out", "run"]) == 0
    capsys.readouterr()
    resume = ["train", "dqn", "--resume", "run/checkpoint.pt"]
    code, err = run_cli([*resume, "--total-steps", "300"], capsys)
    assert code == 2 and ("argument --total-steps: expected more than 300, got 300 "
                          "(run/checkpoint.pt is at step 300 already)") in err
    code, err = run_cli([*resume, "--total-steps", "600", "--batch-size", "0"], capsys)
    assert code == 2 and err.rstrip().endswith("argument --batch-size: expected an integer >= 1, got 0")
    state = torch.load("run/checkpoint.pt", weights_only=False)
    state["config"]["eps_end"] = 5.0
    torch.save(state, "run/checkpoint.pt")
    code, err = run_cli([*resume, "--total-steps", "600"], capsys)
    assert code == 2 and ("argument --eps-end: expected a number in [0, 1], got 5.0 (the value saved in "
                          "run/checkpoint.pt: change it with --eps-end)") in err


def write_run(folder, rows, header="step,mean_return,std_return"):
    folder.mkdir(parents=True)
    (folder / "eval.csv").write_text("\n".join([header, *rows]) + "\n")


def test_plot_skips_and_names_the_folders_it_cannot_read(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write_run(tmp_path / "runs/dqn_seed1", ["100,10.0,0.0", "200,20.0,0.0"])
    write_run(tmp_path / "runs/dqn_seed2", [])
    write_run(tmp_path / "runs/ddpg_seed1", ["100,10.0", "20"])
    code, err = run_cli(["plot", "runs", "--out", "curve.png"], capsys)
    assert code == 0 and (tmp_path / "curve.png").is_file()
    assert "skipped runs/dqn_seed2: runs/dqn_seed2/eval.csv has no rows yet" in err
    assert "skipped runs/ddpg_seed1: runs/ddpg_seed1/eval.csv cannot be read (a damaged or half-written file)" in err

    code, err = run_cli(["plot", "runs/dqn_seed2", "--out", "none.png"], capsys)
    assert code == 2 and "error: no run to plot: 1 folder skipped (see above)" in err


def test_a_run_that_stopped_early_leaves_the_mean_and_the_legend_says_so(tmp_path):
    from qlab.viz.curves import plot_learning_curves

    write_run(tmp_path / "dqn_seed1", ["100,10.0,0.0", "200,500.0,0.0"])               # solved at step 200
    write_run(tmp_path / "dqn_seed2", ["100,20.0,0.0", "200,30.0,0.0", "300,40.0,0.0"])
    write_run(tmp_path / "ddpg_seed1", ["100,1.0,0.0"])
    figure = plot_learning_curves([tmp_path / "dqn_seed1", tmp_path / "dqn_seed2", tmp_path / "ddpg_seed1"])
    dqn, ddpg = figure.axes[0].lines
    assert dqn.get_label() == "dqn (2 runs, 1 stopped early)" and ddpg.get_label() == "ddpg (1 run)"
    assert dqn.get_ydata().tolist() == [15.0, 265.0, 40.0]         # not (500 + 40) / 2 at step 300
    assert dqn.get_marker() == "o"                                 # few points: each one shows
