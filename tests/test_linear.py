"""qlab.linear: the semi-gradient update and fitted Q-iteration against their definitions,
the features' shapes and promises, and learning with them."""

import numpy as np
import pytest

from qlab.envs import GridWorld
from qlab.linear import TileCoder, fitted_q_iteration, gridworld_features, linear_q_update, one_hot_features
from qlab.tabular import q_learning_update, value_iteration


def test_linear_update_with_one_hot_features_is_the_tabular_update():
    rng = np.random.default_rng(0)
    n_states, n_actions = 5, 3
    features = one_hot_features(n_states, n_actions)
    Q = rng.normal(size=(n_states, n_actions))
    w = Q.reshape(-1).copy()
    for _ in range(200):
        s, a, s2 = rng.integers(n_states), rng.integers(n_actions), rng.integers(n_states)
        r, terminated, truncated = rng.normal(), rng.random() < 0.2, rng.random() < 0.2
        Q = q_learning_update(Q, s, a, r, s2, terminated, truncated, 0.3, 0.9)
        w = linear_q_update(w, features[s, a], r, features[s2], terminated, truncated, 0.3, 0.9)
    np.testing.assert_allclose(w.reshape(n_states, n_actions), Q, rtol=1e-12, atol=1e-12)


def test_linear_update_moves_along_phi_sa_only():
    w = np.array([0.5, -1.0, 2.0])
    phi_sa, phi_next = np.array([1.0, 0.5, -0.25]), np.array([[0.0, 1.25, 0.75], [1.5, -0.5, 0.25]])
    new = linear_q_update(w.copy(), phi_sa, 1.5, phi_next, False, False, 0.25, 0.9)
    td_error = 1.5 + 0.9 * 1.75 - phi_sa @ w
    np.testing.assert_allclose(new, w + 0.25 * td_error * phi_sa)
    terminal = linear_q_update(w.copy(), phi_sa, 1.5, phi_next, True, False, 0.25, 0.9)
    np.testing.assert_allclose(terminal, w + 0.25 * (1.5 - phi_sa @ w) * phi_sa)
    truncated = linear_q_update(w.copy(), phi_sa, 1.5, phi_next, False, True, 0.25, 0.9)
    np.testing.assert_allclose(truncated, new)


def test_fitted_q_iteration_with_one_hot_features_is_value_iteration():
    """One transition per (s, a) of a deterministic MDP: the regression is exact, so each
    iteration is one Bellman backup, and K iterations are K backups from Q_0 = 0."""
    env = GridWorld("BookGrid", noise=0.0)
    features = one_hot_features(env.n_states, 4)
    pairs = [(s, a) for s in range(env.n_states) for a in range(4)]
    next_states = np.array([np.argmax(env.P[s, a]) for s, a in pairs])
    states, actions = np.array(pairs).T
    w = fitted_q_iteration(features[states, actions], env.R[states, actions, next_states], features[next_states],
                           env.terminal[next_states], 0.9, 100)
    Q_star, _ = value_iteration(env.P, env.R, env.terminal, 0.9, 1e-12)
    np.testing.assert_allclose(features @ w, Q_star, atol=1e-4)


def test_fitted_q_iteration_reaches_the_semi_gradient_fixed_point():
    phi = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    P = np.eye(4, k=1)
    rewards = np.array([0.0, 0.0, 0.0, 1.0])
    phi_next = (P @ phi)[:, None, :]
    w = fitted_q_iteration(phi, rewards, phi_next, np.array([False, False, False, True]), 0.9, 200)
    w_td = np.linalg.solve(phi.T @ (phi - 0.9 * P @ phi), phi.T @ rewards)
    np.testing.assert_allclose(w, w_td, rtol=1e-9)
    assert fitted_q_iteration(phi, rewards, phi_next, np.zeros(4, dtype=bool), 0.9, 1) == pytest.approx([0.0, 0.5])


def test_gridworld_features_are_a_plane_per_action_and_the_exit_payout():
    env = GridWorld("BookGrid")
    features = gridworld_features(env)
    assert features.shape == (env.n_states, 4, 13)
    row, col = env.layout.start
    start = features[env.start_state]
    for a in range(4):
        np.testing.assert_allclose(start[a, 3 * a:3 * a + 3], [1.0, row / 2, col / 3])
        assert np.count_nonzero(start[a]) == np.count_nonzero([1.0, row, col])
    assert features[env.cell_to_state(0, 3), :, 12].tolist() == [1.0] * 4
    assert features[env.cell_to_state(1, 3), :, 12].tolist() == [-1.0] * 4
    assert not features[env.terminal_state].any()


def test_tile_coder_has_one_active_tile_per_tiling_and_generalises_locally():
    coder = TileCoder(low=[-1.0, -1.0], high=[1.0, 1.0], n_actions=3, n_tilings=4, n_tiles=5)
    assert coder.dim == 3 * 4 * 36
    phi = coder([0.1, -0.3])
    assert phi.shape == (3, coder.dim)
    for a in range(3):
        block = phi[a].reshape(3, -1)
        assert block[a].sum() == 4 and np.delete(block, a, axis=0).sum() == 0
    near, far = coder([0.12, -0.3]), coder([0.9, 0.8])
    assert (near[0] * phi[0]).sum() >= 3 and (far[0] * phi[0]).sum() == 0
    np.testing.assert_array_equal(coder([5.0, -5.0]), coder([1.0, -1.0]))   # clipped onto the box
    with pytest.raises(ValueError, match="high > low"):
        TileCoder(low=[0.0], high=[0.0], n_actions=2)
