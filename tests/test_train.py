"""Training loops end to end: bit-exact resume, logs, the command line, Atari wiring, env pool."""

import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
import torch

from qlab.__main__ import main
from qlab.train import DDPGConfig, DQNConfig, EnvPool, load_checkpoint, read_csv, train_ddpg, train_dqn

ROOT = Path(__file__).resolve().parents[1]


def small_dqn(out, **kwargs):
    values = dict(total_steps=2_400, learning_starts=300, batch_size=32, buffer_size=1_000, eval_every=600,
                  eval_episodes=2, log_every=200, num_envs=2, n_step=3, save_buffer=True, tensorboard=False,
                  progress=False, threads=1, seed=3, out=str(out))
    values.update(kwargs)
    return DQNConfig(**values)


def assert_same_weights(a: torch.nn.Module, b: torch.nn.Module):
    for (name, x), y in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(x, y) if isinstance(x, torch.Tensor) else x == y, f"{name} differs"


def assert_same_logs(dir_a: Path, dir_b: Path, tables=("episodes", "train", "eval")):
    for table in tables:
        a, b = (dir_a / f"{table}.csv").read_text(), (dir_b / f"{table}.csv").read_text()
        assert a == b, f"{table}.csv differs"
        assert a.count("\n") > 2


# β is annealed over total_steps, which the split run's first half shortens: start it at 1.
RAINBOW = dict(num_envs=1, n_step=1, dueling=True, prioritized=True, priority_beta=1.0, noisy=True, distributional=True,
               n_atoms=11, hidden=(32, 32), total_steps=800, learning_starts=200, eval_every=200, log_every=100)


@pytest.mark.parametrize("options", [{}, RAINBOW], ids=["dqn", "rainbow"])
def test_dqn_resume_is_bit_exact(tmp_path, options):
    """N steps straight == N/2 steps, checkpoint, a fresh agent loads it, N/2 more steps. With all of
    Rainbow's pieces the priorities and the noisy layers' generators are part of the state."""
    total = options.get("total_steps", 2_400)
    straight = train_dqn(small_dqn(tmp_path / "straight", **options))
    train_dqn(small_dqn(tmp_path / "split", **dict(options, total_steps=total // 2)))
    resumed = train_dqn(small_dqn(tmp_path / "split", **options), resume=tmp_path / "split" / "checkpoint.pt")
    assert_same_weights(straight.agent.q_net, resumed.agent.q_net)
    assert_same_weights(straight.agent.target_net, resumed.agent.target_net)
    assert straight.agent.optimizer.state_dict()["state"][0]["exp_avg"].equal(
        resumed.agent.optimizer.state_dict()["state"][0]["exp_avg"])
    assert_same_logs(tmp_path / "straight", tmp_path / "split")
    final = load_checkpoint(tmp_path / "split" / "checkpoint.pt")
    assert final["step"] == total and final["buffer"]["size"] == min(total, 1_000)


def test_ddpg_resume_is_bit_exact(tmp_path):
    def config(out, total):
        return DDPGConfig(total_steps=total, hidden=(32, 32), batch_size=32, learning_starts=200, eval_every=300,
                          eval_episodes=1, log_every=100, save_buffer=True, tensorboard=False, progress=False,
                          threads=1, seed=2, out=str(out))

    straight = train_ddpg(config(tmp_path / "straight", 600))
    train_ddpg(config(tmp_path / "split", 300))
    resumed = train_ddpg(config(tmp_path / "split", 600), resume=tmp_path / "split" / "checkpoint.pt")
    assert_same_weights(straight.agent.actor, resumed.agent.actor)
    assert_same_weights(straight.agent.critic_target, resumed.agent.critic_target)
    assert_same_logs(tmp_path / "straight", tmp_path / "split", tables=("train", "eval", "episodes"))


def test_logs_checkpoint_and_tensorboard_are_written(tmp_path):
    result = train_dqn(small_dqn(tmp_path, total_steps=900, num_envs=1, n_step=1, tensorboard=True))
    evals = read_csv(tmp_path / "eval.csv")
    assert evals["step"] == [600.0, 900.0] and evals["mean_return"] == result.eval_returns
    episodes = read_csv(tmp_path / "episodes.csv")
    assert sum(episodes["length"]) <= 900 and episodes["episode_return"] == result.episode_returns
    assert set(read_csv(tmp_path / "train.csv")) == {"step", "loss", "q_mean", "epsilon"}
    assert list((tmp_path / "tb").glob("events.out.tfevents.*"))
    state = load_checkpoint(tmp_path / "checkpoint.pt")
    assert state["algo"] == "dqn" and state["step"] == 900 and state["config"]["n_step"] == 1
    best = load_checkpoint(tmp_path / "best.pt")
    assert best["eval_return"] == max(result.eval_returns)
    assert best["step"] == result.eval_steps[int(np.argmax(result.eval_returns))]


def test_stop_at_return_ends_the_run_at_the_first_good_evaluation(tmp_path):
    result = train_dqn(small_dqn(tmp_path, stop_at_return=0.0, save_buffer=False))
    assert result.eval_steps == [600]


def test_command_line_train_resume_and_eval(tmp_path, capsys):
    out = tmp_path / "cli"
    args = ["train", "dqn", "--env", "CartPole-v1", "--double", "--n-step", "3", "--total-steps", "600",
            "--learning-starts", "200", "--eval-every", "300", "--eval-episodes", "2", "--seed", "4",
            "--no-progress", "--no-tensorboard", "--hidden", "32", "32", "--out", str(out)]
    main(args)
    assert "final evaluation" in capsys.readouterr().out
    main(["train", "dqn", "--resume", str(out / "checkpoint.pt"), "--total-steps", "900"])
    state = load_checkpoint(out / "checkpoint.pt")
    assert state["step"] == 900 and tuple(state["config"]["hidden"]) == (32, 32) and state["config"]["seed"] == 4
    main(["eval", str(out / "checkpoint.pt"), "--episodes", "2"])
    assert "mean return" in capsys.readouterr().out
    main(["eval", str(out / "best.pt"), "--episodes", "1"])
    assert "mean return" in capsys.readouterr().out
    main(["eval", str(out / "best.pt"), "--episodes", "1", "--video", str(tmp_path / "video")])
    videos = list((tmp_path / "video").glob("*.mp4"))
    assert len(videos) == 1 and videos[0].stat().st_size > 1000


def test_python_dash_m_qlab_runs():
    done = subprocess.run([sys.executable, "-m", "qlab", "train", "ddpg", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "--exploration-noise" in done.stdout


def test_env_pool_autoresets_and_keeps_the_final_observation():
    pool = EnvPool(lambda i: gym.make("CartPole-v1"), num_envs=2)
    obs = pool.reset(seed=0)
    assert obs.shape == (2, 4)
    for _ in range(200):
        next_obs, rewards, terminated, truncated, final_obs = pool.step(np.array([1, 1]))
        ended = terminated | truncated
        assert np.array_equal(next_obs[~ended], final_obs[~ended])
        if ended.any():
            i = int(np.argmax(ended))
            assert abs(final_obs[i, 2]) > 0.2 or abs(final_obs[i, 0]) > 2.4  # a terminal pole/cart state
            assert abs(next_obs[i]).max() <= 0.05  # a fresh episode
            break
    assert pool.finished and pool.finished[0][0] == pool.finished[0][1]  # reward 1 per step


def test_atari_dqn_wiring(tmp_path):
    pytest.importorskip("ale_py")
    result = train_dqn(DQNConfig(env_id="ALE/Pong-v5", total_steps=120, learning_starts=64, batch_size=8,
                                 buffer_size=200, train_every=4, n_step=1, eval_every=0, log_every=40,
                                 progress=False, tensorboard=False, out=str(tmp_path)))
    assert type(result.agent.q_net).__name__ == "NatureCNN"
    assert result.agent.n_updates == (120 - 64) // 4
    assert read_csv(tmp_path / "train.csv")["step"]


def test_atari_run_resumes_without_its_buffer(tmp_path):
    """A checkpoint without the replay buffer continues with new episodes: the frame buffer
    cannot continue an episode it never saw."""
    pytest.importorskip("ale_py")
    config = dict(env_id="ALE/Pong-v5", learning_starts=64, batch_size=8, buffer_size=200, train_every=4,
                  n_step=1, eval_every=0, log_every=40, checkpoint_every=100, save_buffer=False,
                  progress=False, tensorboard=False, out=str(tmp_path))
    first = train_dqn(DQNConfig(total_steps=100, **config)).agent.n_updates
    resumed = train_dqn(DQNConfig(total_steps=200, **config), resume=tmp_path / "checkpoint.pt")
    assert resumed.agent.n_updates >= first + 20  # updates go on once the new buffer holds a batch
    assert load_checkpoint(tmp_path / "checkpoint.pt")["step"] == 200


def test_atari_run_with_its_buffer_resumes_bit_exactly(tmp_path):
    """The emulators continue their games where they were (ALE pickles as a fresh console, so
    its state is saved beside it), with the frame buffer, the sticky actions' generator and all."""
    pytest.importorskip("ale_py")

    def config(out, total):
        return DQNConfig(env_id="ALE/Pong-v5", total_steps=total, learning_starts=64, batch_size=8, buffer_size=300,
                         train_every=4, n_step=1, eval_every=0, log_every=40, save_buffer=True, progress=False,
                         tensorboard=False, out=str(out))

    straight = train_dqn(config(tmp_path / "straight", 240))
    train_dqn(config(tmp_path / "split", 120))
    resumed = train_dqn(config(tmp_path / "split", 240), resume=tmp_path / "split" / "checkpoint.pt")
    assert_same_weights(straight.agent.q_net, resumed.agent.q_net)
    assert_same_logs(tmp_path / "straight", tmp_path / "split", tables=("train",))
    assert np.array_equal(straight.buffer.frames, resumed.buffer.frames)


def test_atari_dqn_same_seed_same_numbers():
    """The channels-last Nature CNN, the frame buffer and the emulator: one seed, one run."""
    pytest.importorskip("ale_py")
    config = DQNConfig(env_id="ALE/Pong-v5", total_steps=160, learning_starts=64, batch_size=8, buffer_size=300,
                       train_every=4, n_step=1, eval_every=0, progress=False, out=None)
    first, second = train_dqn(config), train_dqn(config)
    assert first.agent.n_updates == (160 - 64) // 4
    assert_same_weights(first.agent.q_net, second.agent.q_net)
    assert_same_weights(first.agent.target_net, second.agent.target_net)
    assert first.agent.optimizer.state_dict()["state"][0]["exp_avg"].equal(
        second.agent.optimizer.state_dict()["state"][0]["exp_avg"])


def test_prioritized_replay_gets_td_error_priorities(tmp_path):
    result = train_dqn(small_dqn(tmp_path, total_steps=600, num_envs=1, n_step=1, prioritized=True, eval_every=0,
                                 save_buffer=False))
    assert result.agent.n_updates == 300
    with pytest.raises(ValueError, match="one-step"):
        train_dqn(small_dqn(tmp_path, n_step=3, prioritized=True))


def test_rng_state_snapshot_restores_every_generator():
    import random

    from qlab.seeding import get_rng_state, make_generator, seed_everything, set_rng_state

    seed_everything(7)
    state = get_rng_state()
    first = (random.random(), np.random.rand(), torch.rand(1).item())
    set_rng_state(state)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == first
    assert torch.equal(torch.rand(3, generator=make_generator(5)), torch.rand(3, generator=make_generator(5)))


def test_learning_rate_decays_linearly_when_asked(tmp_path):
    result = train_dqn(small_dqn(tmp_path, total_steps=600, num_envs=1, n_step=1, lr=1e-3, lr_end=0.0,
                                 eval_every=0, save_buffer=False))
    assert result.agent.optimizer.param_groups[0]["lr"] == pytest.approx(1e-3 * (1 - 600 / 600), abs=1e-5)
