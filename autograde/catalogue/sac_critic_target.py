"""Student-style answers for sac_critic_target(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets)."""

import torch


def stacked_min(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    with torch.no_grad():
        next_action, next_log_prob = policy(next_obs)
        q = torch.stack([critic(next_obs, next_action) for critic in critic_targets]).min(0).values
        return rewards + gamma * (1 - terminated.float()) * (q - alpha * next_log_prob)


def with_minimum(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    with torch.no_grad():
        a, log_pi = policy(next_obs)
        q = critic_targets[0](next_obs, a)
        for critic in critic_targets[1:]:
            q = torch.minimum(q, critic(next_obs, a))
        soft_v = q - alpha * log_pi
        return rewards + gamma * (1.0 - terminated.to(rewards.dtype)) * soft_v


def detached_with_where(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    a, log_pi = policy(next_obs)
    q = torch.stack([c(next_obs, a) for c in critic_targets], dim=1).amin(dim=1)
    future = torch.where(terminated.bool(), torch.zeros_like(q), q - alpha * log_pi)
    return (rewards + gamma * future).detach()


def with_a_loop(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    with torch.no_grad():
        a, log_pi = policy(next_obs)
        values = [c(next_obs, a) for c in critic_targets]
        y = torch.empty_like(rewards)
        gammas = gamma if isinstance(gamma, torch.Tensor) and gamma.ndim else [gamma] * len(rewards)
        for i in range(len(rewards)):
            future = min(float(v[i]) for v in values) - alpha * float(log_pi[i])
            y[i] = float(rewards[i]) + float(gammas[i]) * (1 - float(terminated[i])) * future
        return y


def twin_unpacked(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    q1_target, q2_target = critic_targets
    with torch.no_grad():
        next_state_actions, next_state_log_pi = policy(next_obs)
        qf1_next_target = q1_target(next_obs, next_state_actions)
        qf2_next_target = q2_target(next_obs, next_state_actions)
        min_qf_next_target = torch.min(qf1_next_target, qf2_next_target) - alpha * next_state_log_pi
        return rewards.flatten() + (1 - terminated.flatten().float()) * gamma * min_qf_next_target.view(-1)


def in_float32(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    with torch.no_grad():
        a, log_pi = policy(next_obs)
        q = torch.stack([c(next_obs, a).float() for c in critic_targets]).min(dim=0)[0]
        discount = torch.as_tensor(gamma, dtype=torch.float32, device=rewards.device)
        return rewards.float() + discount * (1 - terminated.float()) * (q - alpha * log_pi.float())


def _parts(next_obs, policy, critic_targets):
    a, log_pi = policy(next_obs)
    return torch.stack([c(next_obs, a) for c in critic_targets]), log_pi


def bootstraps_terminal(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    with torch.no_grad():
        q, log_pi = _parts(next_obs, policy, critic_targets)
        return rewards + gamma * (q.min(0).values - alpha * log_pi)


def entropy_outside_mask(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    with torch.no_grad():
        q, log_pi = _parts(next_obs, policy, critic_targets)
        return rewards + gamma * ((1 - terminated.float()) * q.min(0).values - alpha * log_pi)


def entropy_in_the_reward(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    with torch.no_grad():
        q, log_pi = _parts(next_obs, policy, critic_targets)
        return rewards - alpha * log_pi + gamma * (1 - terminated.float()) * q.min(0).values


def plus_alpha_log_pi(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    with torch.no_grad():
        q, log_pi = _parts(next_obs, policy, critic_targets)
        return rewards + gamma * (1 - terminated.float()) * (q.min(0).values + alpha * log_pi)


def max_over_critics(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    with torch.no_grad():
        q, log_pi = _parts(next_obs, policy, critic_targets)
        return rewards + gamma * (1 - terminated.float()) * (q.max(0).values - alpha * log_pi)


def one_critic_only(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    with torch.no_grad():
        a, log_pi = policy(next_obs)
        return rewards + gamma * (1 - terminated.float()) * (critic_targets[0](next_obs, a) - alpha * log_pi)


def mean_of_critics(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    with torch.no_grad():
        q, log_pi = _parts(next_obs, policy, critic_targets)
        return rewards + gamma * (1 - terminated.float()) * (q.mean(0) - alpha * log_pi)


def min_over_everything(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    with torch.no_grad():
        q, log_pi = _parts(next_obs, policy, critic_targets)
        return rewards + gamma * (1 - terminated.float()) * (torch.min(q) - alpha * log_pi)


def alpha_missing(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    with torch.no_grad():
        q, log_pi = _parts(next_obs, policy, critic_targets)
        return rewards + gamma * (1 - terminated.float()) * (q.min(0).values - log_pi)


def td3_target(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    with torch.no_grad():
        q, _ = _parts(next_obs, policy, critic_targets)
        return rewards + gamma * (1 - terminated.float()) * q.min(0).values


def samples_twice(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    with torch.no_grad():
        next_action = policy(next_obs)[0]
        next_log_prob = policy(next_obs)[1]
        q = torch.min(critic_targets[0](next_obs, next_action), critic_targets[1](next_obs, next_action))
        return rewards + gamma * (1 - terminated.float()) * (q - alpha * next_log_prob)


def gradient_flows(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    q, log_pi = _parts(next_obs, policy, critic_targets)
    return rewards + gamma * (1 - terminated.float()) * (q.min(0).values - alpha * log_pi)


def discounts_the_reward(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    with torch.no_grad():
        q, log_pi = _parts(next_obs, policy, critic_targets)
        return gamma * (rewards + (1 - terminated.float()) * (q.min(0).values - alpha * log_pi))


def reads_the_policy_weights(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    """Uses the policy's mean action (through its weights) instead of a sample: the policy can only be called."""
    with torch.no_grad():
        mean = torch.tanh(policy.head(next_obs)[:, :2])
        q = torch.stack([c(next_obs, mean) for c in critic_targets]).min(0).values
        return rewards + gamma * (1 - terminated.float()) * q


CORRECT = [stacked_min, with_minimum, detached_with_where, with_a_loop, in_float32, twin_unpacked]
WRONG = {
    bootstraps_terminal: "it bootstraps from terminal next states",
    entropy_outside_mask: "outside the (1 − terminated) factor",
    entropy_in_the_reward: "added to the reward",
    plus_alpha_log_pi: "the entropy bonus has the wrong sign",
    max_over_critics: "it takes the max over the target critics",
    one_critic_only: "only the first target critic",
    mean_of_critics: "it averages the target critics",
    min_over_everything: "the min over the whole batch",
    alpha_missing: "α is missing",
    td3_target: "the entropy term −α log π(a'|s') is missing",
    samples_twice: "it samples the policy twice",
    gradient_flows: "the target requires grad",
    discounts_the_reward: "γ also discounts the reward",
    reads_the_policy_weights: "can only be called",
}

# The wrong answers whose mistake the notebook's text names (09, exercise 4: a' sampled from the
# current policy, the min over the target critics, −α log π inside the (1 − terminated) factor,
# no gradient).
NAMED_IN_TEXT = {bootstraps_terminal, entropy_outside_mask, plus_alpha_log_pi, max_over_critics, one_critic_only,
                 samples_twice, gradient_flows}
