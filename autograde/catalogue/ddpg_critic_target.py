"""Student-style answers for ddpg_critic_target(rewards, next_obs, terminated, gamma, actor_target, critic_target)."""

import torch


def with_no_grad(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    with torch.no_grad():
        next_q = critic_target(next_obs, actor_target(next_obs))
        return rewards + gamma * (1 - terminated.float()) * next_q


def detached(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    next_q = critic_target(next_obs, actor_target(next_obs)).detach()
    return rewards + gamma * torch.logical_not(terminated) * next_q


def where_terminated(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    with torch.no_grad():
        future = gamma * critic_target(next_obs, actor_target(next_obs))
    return torch.where(terminated.bool(), rewards, rewards + future)


def in_float32(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    with torch.no_grad():
        q = critic_target(next_obs, actor_target(next_obs)).float()
    return rewards.float() + torch.as_tensor(gamma).float() * (1.0 - terminated.float()) * q


def loop_over_transitions(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    gammas = gamma if isinstance(gamma, torch.Tensor) else torch.full_like(rewards, gamma)
    targets = []
    with torch.no_grad():
        for i in range(len(rewards)):
            s = next_obs[i:i + 1]
            q = critic_target(s, actor_target(s))[0]
            targets.append(rewards[i] if terminated[i] else rewards[i] + gammas[i] * q)
    return torch.stack(targets)


def no_terminal_mask(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    with torch.no_grad():
        return rewards + gamma * critic_target(next_obs, actor_target(next_obs))


def masks_the_reward(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    with torch.no_grad():
        return (1 - terminated.float()) * (rewards + gamma * critic_target(next_obs, actor_target(next_obs)))


def gradient_flows(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    return rewards + gamma * (1 - terminated.float()) * critic_target(next_obs, actor_target(next_obs))


def detaches_only_the_action(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    action = actor_target(next_obs).detach()
    return rewards + gamma * (1 - terminated.float()) * critic_target(next_obs, action)


def zero_action(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    """Evaluates Q' without the target actor's action."""
    with torch.no_grad():
        q = critic_target(next_obs, torch.zeros(len(rewards), 2, dtype=next_obs.dtype))
        return rewards + gamma * (1 - terminated.float()) * q


def batch_max(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    """DQN's max carried over: the max over the batch, not an action."""
    with torch.no_grad():
        q = critic_target(next_obs, actor_target(next_obs))
        return rewards + gamma * (1 - terminated.float()) * q.max()


def gamma_on_reward(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    with torch.no_grad():
        return gamma * (rewards + (1 - terminated.float()) * critic_target(next_obs, actor_target(next_obs)))


def keeps_the_column(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    with torch.no_grad():
        q = critic_target(next_obs, actor_target(next_obs)).unsqueeze(1)
        return rewards + gamma * (1 - terminated.float()) * q   # (B,) + (B, 1) -> (B, B)


def inverted_mask(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    with torch.no_grad():
        return rewards + gamma * terminated.float() * critic_target(next_obs, actor_target(next_obs))


def two_mistakes(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    with torch.no_grad():
        return gamma * rewards + gamma * critic_target(next_obs, actor_target(next_obs))


CORRECT = [with_no_grad, detached, where_terminated, in_float32, loop_over_transitions]
WRONG = {
    no_terminal_mask: "bootstraps from terminal next states",
    masks_the_reward: "masks the reward too",
    gradient_flows: "requires grad",
    detaches_only_the_action: "requires grad",
    zero_action: "the target actor is not used",
    batch_max: "max of Q' over the whole batch",
    gamma_on_reward: "γ also discounts the reward",
    keeps_the_column: "(B, 1) column",
    inverted_mask: "the terminal mask is inverted",
    two_mistakes: "got",
}

# The wrong answers whose mistake the notebook's text names (07, exercise 3: the terminal mask,
# no gradient even when the weights require grad, the target actor's action.)
NAMED_IN_TEXT = {
    no_terminal_mask, inverted_mask, gradient_flows, detaches_only_the_action, zero_action,
}
