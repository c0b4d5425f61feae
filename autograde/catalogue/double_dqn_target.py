"""Student-style answers for double_dqn_target(rewards, next_q_online, next_q_target, terminated, gamma)."""

import torch


def gather_under_no_grad(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        best = next_q_online.argmax(dim=1, keepdim=True)
        next_value = next_q_target.gather(1, best).squeeze(1)
        return rewards + gamma * (1 - terminated) * next_value


def fancy_indexing_detached(rewards, next_q_online, next_q_target, terminated, gamma):
    best = next_q_online.detach().argmax(dim=1)
    next_value = next_q_target.detach()[torch.arange(len(rewards)), best]
    return (rewards + gamma * (1.0 - terminated) * next_value).detach()


def loop_over_batch(rewards, next_q_online, next_q_target, terminated, gamma):
    targets = torch.empty_like(rewards)
    discounts = gamma if isinstance(gamma, torch.Tensor) else torch.full_like(rewards, gamma)
    with torch.no_grad():
        for i in range(len(rewards)):
            best = int(torch.argmax(next_q_online[i]))
            future = 0.0 if terminated[i] else discounts[i] * next_q_target[i, best]
            targets[i] = rewards[i] + future
    return targets


def one_hot_where(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        picked = torch.nn.functional.one_hot(next_q_online.argmax(1), next_q_online.shape[1]).to(next_q_target.dtype)
        next_value = (picked * next_q_target).sum(dim=1)
        return torch.where(terminated.bool(), rewards, rewards + gamma * next_value)


def in_float32(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        best = next_q_online.float().argmax(dim=1, keepdim=True)
        next_value = next_q_target.float().gather(1, best)[:, 0]
        discount = gamma.float() if isinstance(gamma, torch.Tensor) else gamma
        return rewards.float() + discount * (1 - terminated.float()) * next_value


def target_picks_online_evaluates(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        best = next_q_target.argmax(dim=1, keepdim=True)
        return rewards + gamma * (1 - terminated) * next_q_online.gather(1, best).squeeze(1)


def plain_dqn_max(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        return rewards + gamma * (1 - terminated) * next_q_target.max(dim=1).values


def max_of_online(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        return rewards + gamma * (1 - terminated) * next_q_online.max(dim=1).values


def no_terminal_mask(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        best = next_q_online.argmax(dim=1, keepdim=True)
        return rewards + gamma * next_q_target.gather(1, best).squeeze(1)


def gradient_through_target(rewards, next_q_online, next_q_target, terminated, gamma):
    best = next_q_online.argmax(dim=1, keepdim=True)
    return rewards + gamma * (1 - terminated) * next_q_target.gather(1, best).squeeze(1)


def column_broadcasts(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        best = next_q_online.argmax(dim=1, keepdim=True)
        return rewards + gamma * (1 - terminated) * next_q_target.gather(1, best)   # (B, 1) -> (B, B)


def argmax_over_batch(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        best = next_q_online.argmax(dim=0)           # one index per action column, not per sample
        return rewards + gamma * (1 - terminated) * next_q_target[torch.arange(len(rewards)), best]


def batch_max_of_evaluated(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        best = next_q_online.argmax(dim=1, keepdim=True)
        return rewards + gamma * (1 - terminated) * next_q_target.gather(1, best).max()


def clipped_double_q(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        next_value = torch.min(next_q_online.max(dim=1).values, next_q_target.max(dim=1).values)
        return rewards + gamma * (1 - terminated) * next_value


def mask_on_reward_too(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        best = next_q_online.argmax(dim=1, keepdim=True)
        return (1 - terminated) * (rewards + gamma * next_q_target.gather(1, best).squeeze(1))


def returns_numpy(rewards, next_q_online, next_q_target, terminated, gamma):
    best = next_q_online.numpy().argmax(axis=1)
    next_value = next_q_target.numpy()[range(len(best)), best]
    return rewards.numpy() + gamma * (1 - terminated.numpy()) * next_value


def two_mistakes(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():   # roles swapped and no terminal mask
        best = next_q_target.argmax(dim=1, keepdim=True)
        return rewards + gamma * next_q_online.gather(1, best).squeeze(1)


def float_flags(rewards, next_q_online, next_q_target, terminated, gamma):
    """`terminated.float()` makes the mask float32 inside a float64 batch: still correct."""
    with torch.no_grad():
        best = next_q_online.argmax(dim=1, keepdim=True)
        return rewards + gamma * (1 - terminated.float()) * next_q_target.gather(1, best).squeeze(1)


def detaches_the_networks_only(rewards, next_q_online, next_q_target, terminated, gamma):
    """.detach() the two networks' values, as the notebook says; the rewards carry no gradient anyway."""
    best = next_q_online.detach().argmax(dim=1, keepdim=True)
    value = next_q_target.detach().gather(1, best).squeeze(1)
    return rewards + gamma * (1 - terminated) * value


CORRECT = [gather_under_no_grad, fancy_indexing_detached, loop_over_batch, one_hot_where, in_float32, float_flags,
           detaches_the_networks_only]
WRONG = {
    target_picks_online_evaluates: "the roles are swapped",
    plain_dqn_max: "plain DQN target",
    max_of_online: "max_a' Q(s', a') of the online network",
    no_terminal_mask: "bootstraps from a terminal next state",
    gradient_through_target: "a gradient would flow through the target",
    column_broadcasts: "(B, 1) column",
    argmax_over_batch: "raised IndexError",
    batch_max_of_evaluated: "max over the batch",
    clipped_double_q: "TD3's clipped double-Q",
    mask_on_reward_too: "also removes the reward",
    returns_numpy: "return a torch tensor",
    two_mistakes: "double_dqn_target(rewards=",
}

# The wrong answers whose mistake the notebook's text names (05, exercise 1: the online network
# picks, the target network evaluates; terminated; no gradient; argmax and max over dim=1; squeeze
# the gathered (B, 1) column back to (B,).)
NAMED_IN_TEXT = {
    target_picks_online_evaluates, plain_dqn_max, max_of_online, no_terminal_mask,
    gradient_through_target, batch_max_of_evaluated, column_broadcasts,
}
