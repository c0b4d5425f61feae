"""A plausible half-right submission of 07_continuous, for tests/test_cycles.py."""

HALF_RIGHT = {
    # right
    "random_shooting_answer": '''
def random_shooting(critic, obs, low, high, n_samples, rng):
    chosen = []
    for s in obs:
        actions = torch.as_tensor(rng.uniform(low, high, (n_samples, len(low))), dtype=obs.dtype)
        with torch.no_grad():
            q = critic(s.expand(n_samples, -1), actions)
        chosen.append(actions[q.argmax()])
    return torch.stack(chosen)
''',
    # refits on every sample, not on the elites
    "cross_entropy_method_answer": '''
def cross_entropy_method(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    low_t, high_t = torch.as_tensor(low, dtype=obs.dtype), torch.as_tensor(high, dtype=obs.dtype)
    mean = ((low_t + high_t) / 2).repeat(obs.shape[0], 1)
    std = ((high_t - low_t) / 2).repeat(obs.shape[0], 1)
    for _ in range(n_iters):
        noise = torch.as_tensor(rng.standard_normal((obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
        samples = torch.clamp(mean[:, None] + std[:, None] * noise, low_t, high_t)
        mean, std = samples.mean(dim=1), samples.std(dim=1)
    return mean
''',
    # bootstraps from terminal states
    "ddpg_critic_target_answer": '''
def ddpg_critic_target(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    with torch.no_grad():
        return rewards + gamma * critic_target(next_obs, actor_target(next_obs))
''',
}
HALF_RIGHT_POINTS = {"random_shooting": 2, "cross_entropy_method": 1.64, "ddpg_critic_target": 1.0, "ddpg_actor_loss": 2}
CLAIMS = {
    "cem-picture": "evaluations: random shooting",
    "pendulum-train": "DDPG with your rules: mean greedy return",
    "cem-q-train": "Q-learning with your CEM: mean greedy return",
    "naf-train": "NAF: mean greedy return",
}
