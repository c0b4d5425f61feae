"""Answers to ddpg_actor_loss(obs, actor, critic) -> scalar, written blind."""
import torch


def w_detached_action(obs, actor, critic):
    return -critic(obs, actor(obs).detach()).mean()


def w_no_minus(obs, actor, critic):
    return critic(obs, actor(obs)).mean()


def w_sum_not_mean(obs, actor, critic):
    return -critic(obs, actor(obs)).sum()


def w_calls_backward(obs, actor, critic):
    loss = -critic(obs, actor(obs)).mean()
    loss.backward()
    return loss


def w_no_grad(obs, actor, critic):
    with torch.no_grad():
        return -critic(obs, actor(obs)).mean()


def w_per_sample(obs, actor, critic):
    return -critic(obs, actor(obs))


def w_python_float(obs, actor, critic):
    return -critic(obs, actor(obs)).mean().item()


def w_squared_q(obs, actor, critic):
    return (critic(obs, actor(obs)) ** 2).mean()


def c_sum_over_len(obs, actor, critic):
    q = critic(obs, actor(obs))
    return -(q.sum() / q.shape[0])


def c_neg_mean_float64(obs, actor, critic):
    return torch.mean(critic(obs, actor(obs)).double()).neg()


def c_loop(obs, actor, critic):
    actions = actor(obs)
    total = 0.0
    for i in range(obs.shape[0]):
        total = total - critic(obs[i:i + 1], actions[i:i + 1]).squeeze()
    return total / obs.shape[0]


WRONG = {
    w_detached_action: "detaches μ(s): no gradient reaches the actor",
    w_no_minus: "+mean Q: minimising it makes the actor worse",
    w_sum_not_mean: "sum over the batch instead of mean",
    w_calls_backward: "calls backward() itself",
    w_no_grad: "computed under no_grad: no gradient at all",
    w_per_sample: "returns the (B,) per-sample losses, not a scalar",
    w_python_float: "returns a Python float (.item()): no graph",
    w_squared_q: "mean of Q² instead of −mean Q",
}
CORRECT = [c_sum_over_len, c_neg_mean_float64, c_loop]
