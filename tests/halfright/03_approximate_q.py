"""A half-right submission of 03_approximate_q for the nbgrader cycle (tests/test_cycles.py)."""

HALF_RIGHT = {
    "linear_q_update_answer": '''
def linear_q_update(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    done = terminated or truncated                       # a time limit treated as the end
    target = reward + gamma * (1 - done) * np.max(phi_next @ w)
    return w + alpha * (target - phi_sa @ w) * phi_sa
''',
    "fitted_q_iteration_answer": '''
def fitted_q_iteration(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        targets = rewards + gamma * np.max(phi_next @ w, axis=1)    # bootstraps from terminal states
        w = np.linalg.lstsq(phi, targets, rcond=None)[0]
    return w
''',
}
# Each rule loses the checks its mistake fails: the truncation check and the random inputs for
# linear_q_update; for fitted_q_iteration all but the two whose data has no terminal transition
# that matters (one iteration, and no terminal transition at all).
HALF_RIGHT_POINTS = {"linear_q_update": 2.4, "fitted_q_iteration": 1.0}

CLAIMS = {
    "features-demo": "6 ones per action (one tile per tiling) out of d = 7500",
    "not-gd-experiment": "semi-gradient (TD) fixed point: w = [0.744 0.909]",
    "fqi-experiment": "FQI on the chain after 60 iterations: w = [0.744 0.909]",
    "cartpole-train": "greedy return after 1,500 steps",
}
