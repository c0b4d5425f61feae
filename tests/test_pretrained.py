"""The shipped Pong agent loads, is the float16 file its docstring says, and plays better than
chance; ``python -m qlab export`` writes an agent file whose card tells the truth about it and
refuses, with a clear message, what it cannot export."""

import numpy as np
import pytest
import torch

from qlab.__main__ import main
from qlab.envs.atari import make_atari_env
from qlab.networks import NatureCNN
from qlab.pretrained import SHIPPED, load_agent
from qlab.train.envs import evaluate
from test_cli import TINY


def run_cli(args, capsys):
    try:
        code = main(args)
    except SystemExit as exit:
        code = exit.code
    out = capsys.readouterr()
    return code, out.out, out.err


def greedy(net):
    def policy(obs):
        with torch.inference_mode():
            return net(torch.as_tensor(obs)).argmax(1).numpy()
    return policy


def test_the_shipped_pong_agent_is_a_small_float16_nature_cnn_with_its_card():
    path = SHIPPED["pong"]
    assert path.stat().st_size < 4_000_000
    raw = torch.load(path, weights_only=True)
    assert {value.dtype for value in raw["weights"].values()} == {torch.float16}
    net, card = load_agent("pong")
    assert isinstance(net, NatureCNN) and not net.training
    assert all(p.dtype == torch.float32 for p in net.parameters())
    assert card["network"]["env_id"] == "ALE/Pong-v5" and card["step"] >= 200_000
    assert "steps" in card["about"] and card["about"].strip()
    returns = card["evaluation"]["returns"]
    assert len(returns) >= 10
    assert np.mean(returns) > -20.7 + 2, "the card must show a score clearly above a random policy's -20.7"


@pytest.fixture
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)   # batch-1 forward passes, beside another test process
    yield
    torch.set_num_threads(threads)


def test_the_shipped_pong_agent_wins_a_point_in_the_game_of_its_card(one_thread):
    net, card = load_agent("pong")
    env = make_atari_env("ALE/Pong-v5", terminal_on_life_loss=False, clip_rewards=False)
    obs, _ = env.reset(seed=card["evaluation"]["seed"])
    won, actions = 0, set()
    while not won:
        action = int(greedy(net)(obs[None])[0])
        actions.add(action)
        obs, reward, terminated, truncated, _ = env.step(action)
        won += reward > 0
        assert not (terminated or truncated), "the game ended without a point won: a random policy plays like that"
    env.close()
    assert len(actions) >= 3, "the agent moves its paddle both ways"


def test_export_writes_a_float16_agent_whose_card_is_its_own_score(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "dqn", *TINY, "--out", "run"]) == 0
    code, out, err = run_cli(["export", "run/best.pt", "--out", "agent.pt", "--episodes", "2",
                              "--about", "300 steps on a laptop"], capsys)
    assert code == 0, err
    assert "agent.pt: CartPole-v1 agent of step" in out and "over 2 episodes" in out
    net, card = load_agent(tmp_path / "agent.pt")
    assert card["about"] == "300 steps on a laptop" and card["config"]["hidden"] == [16]
    replay = evaluate(greedy(net), "CartPole-v1", 2, card["evaluation"]["seed"])
    assert replay.tolist() == card["evaluation"]["returns"]
    checkpoint = torch.load("run/best.pt", weights_only=False)["agent"]["q_net"]
    for name, value in net.state_dict().items():
        assert torch.equal(value, checkpoint[name].half().float())


def test_export_refuses_what_it_cannot_write(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "ddpg", "--env", "Pendulum-v1", *TINY, "--out", "ddpg"]) == 0
    assert main(["train", "dqn", *TINY, "--out", "run"]) == 0
    (tmp_path / "taken.pt").write_bytes(b"someone's file")
    cases = [
        (["export", "missing.pt", "--out", "a.pt"], "no checkpoint at missing.pt: pass a DQN run's checkpoint.pt or best.pt"),
        (["export", "ddpg/best.pt", "--out", "a.pt"], "is a 'ddpg' checkpoint; export_agent takes a DQN one"),
        (["export", "run/best.pt", "--out", "taken.pt"], "taken.pt already exists: choose another --out"),
        (["export", "run/best.pt", "--out", "nowhere/a.pt"], "the folder nowhere does not exist"),
        (["export", "run/best.pt", "--out", "a.pt", "--episodes", "0"], "--episodes must be at least 1, got 0"),
    ]
    for args, expected in cases:
        code, _, err = run_cli(args, capsys)
        assert code == 2 and expected in err and "Traceback" not in err, (args, err)
    assert (tmp_path / "taken.pt").read_bytes() == b"someone's file"
    assert not (tmp_path / "a.pt").exists()


def test_load_agent_names_what_it_expected():
    with pytest.raises(FileNotFoundError, match="no agent file at nothing.pt; shipped agents: pong"):
        load_agent("nothing.pt")
