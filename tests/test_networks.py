"""Shapes, dtypes, bounds and error messages of qlab.networks."""

import numpy as np
import pytest
import torch

from qlab.networks import MLP, DDPGActor, DDPGCritic, DuelingHead, DuelingQNetwork, NAFCritic, NatureCNN


def test_mlp_maps_states_to_one_value_per_action():
    net = MLP(4, 2)
    assert net(torch.zeros(5, 4)).shape == (5, 2)
    widths = [m.out_features for m in net.modules() if isinstance(m, torch.nn.Linear)]
    assert widths == [120, 84, 2]


def test_mlp_rejects_wrong_shape_and_dtype():
    net = MLP(4, 2)
    with pytest.raises(ValueError, match=r"shape \(5, 3\); expected \(batch, 4\)"):
        net(torch.zeros(5, 3))
    with pytest.raises(ValueError, match=r"expected \(batch, 4\)"):
        net(torch.zeros(4))
    with pytest.raises(TypeError, match="floating"):
        net(torch.zeros(5, 4, dtype=torch.long))
    with pytest.raises(TypeError, match="torch.Tensor"):
        net(np.zeros((5, 4), dtype=np.float32))


def test_mlp_numpy_forward_follows_the_parameters_and_declines_what_it_cannot_compute():
    torch.manual_seed(0)
    net = MLP(4, 3)
    x = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)

    def agrees():
        expected = net(torch.from_numpy(x)).detach().numpy()
        np.testing.assert_allclose(net.forward_numpy(x), expected, rtol=1e-5, atol=1e-6)

    agrees()
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(-1.5)                                   # changed in place (an optimizer step)
    agrees()
    net.net[0].weight.data = torch.randn(120, 4)           # rebound to new memory
    agrees()
    net.net[2] = torch.nn.Linear(120, 84)                  # a layer replaced
    agrees()
    assert net.forward_numpy(x.astype(np.float64)) is None     # the network's dtype only, as forward
    assert net.forward_numpy(x[:, :3]) is None                 # forward raises the clear error
    handle = net.register_forward_hook(lambda *args: None)
    assert net.forward_numpy(x) is None                        # a hook must run: use forward
    handle.remove()
    net.net[1] = torch.nn.Tanh()
    assert net.forward_numpy(x) is None


def test_nature_cnn_takes_raw_uint8_frames_and_scales_them():
    torch.manual_seed(0)
    net = NatureCNN(6)
    frames = torch.randint(0, 256, (3, 4, 84, 84), dtype=torch.uint8)
    q = net(frames)
    assert q.shape == (3, 6) and q.dtype == torch.float32
    by_hand = net.head(net.features(frames.float() / 255.0))
    torch.testing.assert_close(q, by_hand)
    with pytest.raises(TypeError, match="uint8"):
        net(frames.float())
    with pytest.raises(ValueError, match=r"expected \(batch, 4, 84, 84\)"):
        net(frames[:, :3])


def test_dueling_head_is_value_plus_centred_advantage():
    torch.manual_seed(0)
    head = DuelingHead(8, 3, hidden=16)
    x = torch.randn(5, 8)
    q = head(x)
    advantage = head.advantage(x)
    expected = head.value(x) + advantage - advantage.mean(1, keepdim=True)
    torch.testing.assert_close(q, expected)
    # the mean over actions of Q is V
    torch.testing.assert_close(q.mean(1, keepdim=True), head.value(x))
    assert DuelingQNetwork(4, 2)(torch.zeros(7, 4)).shape == (7, 2)
    assert NatureCNN(4, dueling=True)(torch.zeros(2, 4, 84, 84, dtype=torch.uint8)).shape == (2, 4)


def test_ddpg_actor_stays_inside_the_action_box():
    torch.manual_seed(0)
    actor = DDPGActor(3, act_low=[-2.0, 0.0], act_high=[2.0, 1.0], hidden=(32, 32))
    with torch.no_grad():
        for layer in actor.net:
            if isinstance(layer, torch.nn.Linear):
                layer.weight.mul_(100)  # saturate tanh
        a = actor(torch.randn(1000, 3) * 10)
    assert a.shape == (1000, 2)
    assert (a[:, 0] >= -2).all() and (a[:, 0] <= 2).all() and (a[:, 1] >= 0).all() and (a[:, 1] <= 1).all()
    assert a[:, 0].max() > 1.9 and a[:, 0].min() < -1.9  # the whole range is reachable
    assert set(actor.state_dict()) >= {"action_center", "action_scale"}
    with pytest.raises(ValueError, match="act_low < act_high"):
        DDPGActor(3, [1.0], [1.0])


def test_ddpg_critic_returns_one_value_per_pair():
    critic = DDPGCritic(3, 1, hidden=(16, 16))
    assert critic(torch.zeros(5, 3), torch.zeros(5, 1)).shape == (5,)
    with pytest.raises(ValueError, match=r"\(action\) input has shape \(5,\); expected \(batch, 1\)"):
        critic(torch.zeros(5, 3), torch.zeros(5))
    with pytest.raises(ValueError, match="5 observations but 4 actions"):
        critic(torch.zeros(5, 3), torch.zeros(4, 1))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_networks_live_on_the_device_they_are_given():
    net = NatureCNN(4, device="cuda")
    assert net(torch.zeros(2, 4, 84, 84, dtype=torch.uint8, device="cuda")).device.type == "cuda"
    actor = DDPGActor(3, [-1.0], [1.0], device="cuda")
    assert actor.action_scale.device.type == "cuda"


@pytest.mark.parametrize("act_dim", [1, 3])
def test_naf_critic_peaks_at_its_best_action_with_its_value(act_dim):
    torch.manual_seed(0)
    low, high = -np.arange(1, act_dim + 1, dtype=float), np.arange(1, act_dim + 1, dtype=float) * 2
    naf = NAFCritic(4, low, high, hidden=(16,))
    obs = torch.randn(32, 4)
    value, mu, precision = naf.heads(obs)
    assert value.shape == (32,) and mu.shape == (32, act_dim) and precision.shape == (32, act_dim, act_dim)
    assert bool(((mu > torch.tensor(low, dtype=torch.float32)) & (mu < torch.tensor(high, dtype=torch.float32))).all())
    assert bool((torch.linalg.eigvalsh(precision) > 0).all())       # P positive definite
    torch.testing.assert_close(naf(obs, mu), value)                   # max_a Q(s, a) = V(s), at μ(s)
    others = mu + torch.randn(32, act_dim)
    assert bool((naf(obs, others) < value).all())
    by_hand = value - 0.5 * torch.einsum("bi,bij,bj->b", others - mu, precision, others - mu)
    torch.testing.assert_close(naf(obs, others), by_hand)


def test_naf_critic_learns_through_every_head_and_refuses_a_wrong_input():
    torch.manual_seed(0)
    naf = NAFCritic(3, [-2.0], [2.0], hidden=(8,))
    naf(torch.randn(5, 3), torch.randn(5, 1)).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in naf.parameters())
    with pytest.raises(ValueError, match=r"shape \(5, 4\); expected \(batch, 3\)"):
        naf.value(torch.randn(5, 4))
    with pytest.raises(ValueError, match="low < high"):
        NAFCritic(3, [1.0], [1.0])
