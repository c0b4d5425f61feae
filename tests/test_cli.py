"""The training command line as a newcomer meets it: help that explains, one-line errors that
say what was expected, run folders that are never mixed, learning curves without code."""

import subprocess
import sys

import pytest

from qlab.__main__ import HELP, LOOPS, main

TINY = ["--total-steps", "300", "--learning-starts", "100", "--batch-size", "16", "--eval-every", "150",
        "--eval-episodes", "1", "--hidden", "16", "--no-progress", "--no-tensorboard", "--threads", "1"]


@pytest.mark.parametrize("algo", LOOPS)
def test_help_explains_every_option_and_the_default_run_folder(algo, capsys):
    assert set(HELP) >= set(LOOPS[algo][0].__dataclass_fields__)
    with pytest.raises(SystemExit):
        main(["train", algo, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "default: None" not in text
    assert f"--out DIR run folder for logs and checkpoints (default: runs/{algo}_<env>_seed<seed>;" in text


@pytest.mark.parametrize("args, expected", [
    (["train", "dqn", "--env", "Pendulum-v1"], "DQN needs a discrete action space; Pendulum-v1 has Box"),
    (["train", "dqn", "--env", "qlab/GridWorld-v0"], "qlab/GridWorld-v0 has Discrete(13) observations"),
    (["train", "ddpg", "--env", "CartPole-v1"], "DDPG needs a continuous (Box) action space"),
    (["train", "sac", "--env", "CartPole-v1"], "SAC needs a continuous (Box) action space"),
    (["train", "sac", "--alpha", "hot"], "argument --alpha: invalid float value: 'hot'"),
    (["train", "dqn", "--env", "NoSuchEnv-v0"], "cannot make environment 'NoSuchEnv-v0'"),
    (["train", "dqn", "--loss", "foo"], "invalid choice: 'foo' (choose from 'huber', 'mse')"),
    (["plot", "nowhere"], "nowhere is not a run folder"),
])
def test_bad_input_is_one_line_naming_what_was_expected(args, expected, capsys):
    try:
        code = main(args)
    except SystemExit as exit:   # argparse's own errors
        code = exit.code
    err = capsys.readouterr().err
    assert code == 2 and expected in err and "Traceback" not in err
    assert err.splitlines()[-1].startswith("python -m qlab ")


def test_runs_are_never_mixed_and_plot_draws_their_curves(tmp_path, monkeypatch, capfd):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "dqn", *TINY]) == 0
    assert "run folder: runs/dqn_CartPole-v1_seed1\n" in capfd.readouterr().out
    first = (tmp_path / "runs/dqn_CartPole-v1_seed1/eval.csv").read_text()
    assert main(["train", "dqn", *TINY]) == 0        # the same command again: a new folder, said so
    assert "run folder: runs/dqn_CartPole-v1_seed1-2 (runs/dqn_CartPole-v1_seed1 holds an earlier run)" \
        in capfd.readouterr().out
    assert (tmp_path / "runs/dqn_CartPole-v1_seed1/eval.csv").read_text() == first
    assert main(["train", "dqn", *TINY, "--seed", "2", "--out", "runs/dqn_CartPole-v1_seed1"]) == 2
    assert ("runs/dqn_CartPole-v1_seed1 already holds a run: continue it with --resume "
            "runs/dqn_CartPole-v1_seed1/checkpoint.pt, or pass a new folder with --out") in capfd.readouterr().err

    assert main(["plot", "runs", "--out", "curve.png"]) == 0
    assert "curve.png: 1 curve from 2 runs (dqn_CartPole-v1: 2)" in capfd.readouterr().out
    assert (tmp_path / "curve.png").read_bytes()[:4] == b"\x89PNG"

    capfd.readouterr()
    assert main(["eval", "runs/dqn_CartPole-v1_seed1/best.pt", "--episodes", "1", "--video", "video"]) == 0
    assert list((tmp_path / "video").glob("*.mp4"))
    assert capfd.readouterr().err == ""              # no "XDG_RUNTIME_DIR is invalid" from SDL


def test_python_dash_m_qlab_knows_the_course_environments():
    done = subprocess.run([sys.executable, "-m", "qlab", "train", "dqn", "--env", "qlab/Crawler-v0"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Namespace qlab not found" not in done.stderr
