"""Answers to dqn_target(rewards, next_q_target, terminated, gamma) -> y (B,), written blind."""
import torch


def w_keepdim_broadcast(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        best = next_q_target.max(dim=1, keepdim=True).values
        return rewards + gamma * (1 - terminated) * best


def w_no_no_grad(rewards, next_q_target, terminated, gamma):
    return rewards + gamma * (1 - terminated) * next_q_target.max(dim=1).values


def w_ignores_terminated(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        return rewards + gamma * next_q_target.max(1)[0]


def w_max_over_batch(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        best = next_q_target.max(dim=0).values
        best = best.expand(len(rewards)) if best.numel() == 1 else best.repeat(len(rewards))[:len(rewards)]
        return rewards + gamma * (1 - terminated) * best


def w_mean_over_actions(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        return rewards + gamma * (1 - terminated) * next_q_target.mean(dim=1)


def w_masks_reward_too(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        return (1 - terminated) * (rewards + gamma * next_q_target.max(dim=1).values)


def w_argmax_index(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        return rewards + gamma * (1 - terminated) * next_q_target.argmax(dim=1)


def c_where(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        bootstrap = torch.where(terminated.bool(), torch.zeros_like(rewards), next_q_target.amax(dim=-1))
        return rewards + gamma * bootstrap


def c_detaches_network_only(rewards, next_q_target, terminated, gamma):
    q = next_q_target.detach().double()
    y = rewards.double() + gamma * (1.0 - terminated.double()) * q.max(1).values
    return y.to(rewards.dtype)


def c_detach_everything_float64(rewards, next_q_target, terminated, gamma):
    q = next_q_target.detach().double()
    g = gamma.detach().double() if torch.is_tensor(gamma) else float(gamma)
    y = rewards.detach().double() + g * (1.0 - terminated.detach().double()) * q.max(1).values
    return y.to(rewards.dtype)


def c_loop(rewards, next_q_target, terminated, gamma):
    B = rewards.shape[0]
    g = gamma if torch.is_tensor(gamma) else torch.full((B,), float(gamma), dtype=rewards.dtype)
    y = torch.empty_like(rewards)
    with torch.no_grad():
        for i in range(B):
            future = 0.0 if terminated[i] else next_q_target[i].max()
            y[i] = rewards[i] + g[i] * future
    return y


WRONG = {
    w_keepdim_broadcast: "keepdim max: (B,) + (B, 1) broadcasts to (B, B)",
    w_no_no_grad: "no torch.no_grad / detach: gradient flows through the target",
    w_ignores_terminated: "bootstraps on terminated transitions",
    w_max_over_batch: "max over the batch (dim 0) instead of the actions",
    w_mean_over_actions: "averages over next actions instead of max",
    w_masks_reward_too: "multiplies the reward by (1 - terminated) too: y = 0 at terminal",
    w_argmax_index: "uses argmax (the action index) instead of the max value",
}
CORRECT = [c_where, c_detach_everything_float64, c_loop, c_detaches_network_only]
