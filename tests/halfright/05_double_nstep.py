"""A half-right submission of 05_double_nstep for the nbgrader cycle (tests/test_cycles.py)."""

HALF_RIGHT = {
    "double_dqn_target_answer": '''
def double_dqn_target(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():                      # forgets the terminal mask
        best = next_q_online.argmax(dim=1, keepdim=True)
        return rewards + gamma * next_q_target.gather(1, best).squeeze(1)
''',
    "nstep_returns_answer": '''
def nstep_returns(rewards, terminated, truncated, gamma, n):
    ended = terminated | truncated             # treats a time limit as a termination
    T = rewards.shape[0]
    returns, discounts, dones = torch.zeros_like(rewards), torch.ones_like(rewards), torch.zeros_like(rewards)
    collecting = torch.ones_like(rewards, dtype=torch.bool)
    for i in range(min(n, T)):
        still = collecting[: T - i]
        returns[: T - i] += torch.where(still, discounts[: T - i] * rewards[i:], 0.0)
        discounts[: T - i] = torch.where(still, discounts[: T - i] * gamma, discounts[: T - i])
        dones[: T - i] = torch.where(still & ended[i:], 1.0, dones[: T - i])
        collecting[: T - i] = still & ~ended[i:]
    return returns, discounts, dones
''',
}
# Both rules pass the checks whose inputs do not exercise the mistake (3 of 9 weights for the
# Double DQN target, 3 of 12 for the n-step returns).
HALF_RIGHT_POINTS = {"double_dqn_target": 1.0, "nstep_returns": 1.0}

CLAIMS = {
    "bias-simulation": " 8 actions: single estimator +0.638, double estimator -0.001 (true value 0)",
    "overestimation-experiment": "Double DQN predicts",
    "nstep-experiment": "n = 5: mean return of the last training episodes",
    "offpolicy-experiment": "V*(start) = 6.56, optimal route along the cliff edge",
}
