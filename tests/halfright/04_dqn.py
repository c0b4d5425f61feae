"""A half-right submission of 04_dqn for the nbgrader cycle (tests/test_cycles.py)."""

HALF_RIGHT = {
    "ring_add_answer": '''
def ring_add(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    capacity = len(storage["obs"])
    storage["obs"][index] = obs
    storage["actions"][index] = action
    storage["rewards"][index] = reward
    storage["next_obs"][index] = next_obs
    storage["terminated"][index] = terminated or truncated     # a time limit is not a termination
    return (index + 1) % capacity, min(size + 1, capacity)
''',
    "dqn_target_answer": '''
def dqn_target(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        return rewards + gamma * next_q_target.max(dim=1).values   # no terminal mask
''',
    "td_loss_answer": '''
def td_loss(q_values, actions, targets, kind="huber"):
    q_taken = q_values.gather(1, actions.unsqueeze(1))            # (B, 1): broadcasts against (B,)
    error = q_taken - targets
    if kind == "mse":
        return (error ** 2).mean()
    return torch.where(error.abs() <= 1, 0.5 * error ** 2, error.abs() - 0.5).mean()
''',
    "hard_update_answer": '''
def hard_update(target, online):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):  # buffers forgotten
            t.copy_(o)
''',
    "polyak_update_answer": '''
def polyak_update(target, online, tau):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            t.copy_(tau * t + (1 - tau) * o)                         # tau read as the keep fraction
''',
}
# sample_indices is right; every other rule gets partial or no credit.
HALF_RIGHT_POINTS = {
    "ring_add": 0.57,          # points are rounded to 2 decimals
    "sample_indices": 2,
    "dqn_target": 1.12,
    "td_loss": 0.33,
    "hard_update": 0.75,
    "polyak_update": 0,
}
CLAIMS = {
    "buffer-class-code": "rewards stored: [3. 4. 2.]  index: 2  size: 3",
    "cartpole-train": "seed 1:",
    "target-experiment": "no target network (C = 1): mean greedy return over the last 3 evaluations",
    "replay-experiment": "capacity 500: mean greedy return",
    "huber-experiment": "Huber, rewards × 100: mean greedy return",
}
