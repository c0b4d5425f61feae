"""A plausible half-right submission of 09_soft_q_sac, for tests/test_cycles.py."""

HALF_RIGHT = {
    # right
    "soft_value_answer": '''
def soft_value(q_values, alpha):
    return alpha * torch.logsumexp(q_values / alpha, dim=-1)
''',
    # the soft value written out again, without the max shift: overflows for large Q/α
    "soft_q_target_answer": '''
def soft_q_target(rewards, next_q_target, terminated, gamma, alpha):
    with torch.no_grad():
        next_v = alpha * torch.log(torch.exp(next_q_target / alpha).sum(dim=1))
        return rewards + gamma * (1.0 - terminated.to(rewards.dtype)) * next_v
''',
    # the tanh correction in its naive form: -inf where tanh(u) rounds to ±1
    "squashed_gaussian_answer": '''
def squashed_gaussian(mean, log_std, noise):
    u = mean + log_std.exp() * noise
    action = torch.tanh(u)
    log_normal = -0.5 * noise ** 2 - log_std - 0.5 * np.log(2 * np.pi)
    return action, (log_normal - torch.log(1 - action ** 2)).sum(dim=-1)
''',
    # the mean of the target critics instead of their minimum
    "sac_critic_target_answer": '''
def sac_critic_target(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    with torch.no_grad():
        next_actions, next_log_probs = policy(next_obs)
        next_q = sum(critic(next_obs, next_actions) for critic in critic_targets) / len(critic_targets)
        return rewards + gamma * (1.0 - terminated.float()) * (next_q - alpha * next_log_probs)
''',
    # right
    "sac_actor_loss_answer": '''
def sac_actor_loss(obs, policy, critics, alpha):
    actions, log_probs = policy(obs)
    q = critics[0](obs, actions)
    for critic in critics[1:]:
        q = torch.minimum(q, critic(obs, actions))
    return (alpha * log_probs - q).mean()
''',
    # log π not detached: the temperature's loss would push the policy too
    "sac_temperature_loss_answer": '''
def sac_temperature_loss(log_alpha, log_probs, target_entropy):
    return -(log_alpha * (log_probs + target_entropy)).mean()
''',
}
HALF_RIGHT_POINTS = {"soft_value": 2, "soft_q_target": 1.2, "squashed_gaussian": 1.5, "sac_critic_target": 0.38,
                     "sac_actor_loss": 2, "sac_temperature_loss": 0}
CLAIMS = {
    "naive-overflow": "naive V = [1.946",
    "soft-gridworld": "α = 0.003: π(·|start) north 0.50 east 0.50",
    "sac-vs-ddpg": "SAC with your rules: mean greedy return",
    "alpha-entropy": "learned α: entropy at the end",
}
