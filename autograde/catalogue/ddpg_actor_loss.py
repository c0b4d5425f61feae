"""Student-style answers for ddpg_actor_loss(obs, actor, critic)."""

import torch


def minus_mean(obs, actor, critic):
    return -critic(obs, actor(obs)).mean()


def neg_method(obs, actor, critic):
    actions = actor(obs)
    return critic(obs, actions).neg().mean()


def torch_mean(obs, actor, critic):
    return -torch.mean(critic(obs, actor(obs)))


def divided_by_batch(obs, actor, critic):
    q = critic(obs, actor(obs))
    return -q.sum() / obs.shape[0]


def in_float32(obs, actor, critic):
    return -critic(obs, actor(obs)).float().mean()


def sign_flipped(obs, actor, critic):
    return critic(obs, actor(obs)).mean()


def sum_over_batch(obs, actor, critic):
    return -critic(obs, actor(obs)).sum()


def detached_action(obs, actor, critic):
    return -critic(obs, actor(obs).detach()).mean()


def under_no_grad(obs, actor, critic):
    with torch.no_grad():
        return -critic(obs, actor(obs)).mean()


def per_sample(obs, actor, critic):
    return -critic(obs, actor(obs))


def as_python_float(obs, actor, critic):
    return -critic(obs, actor(obs)).mean().item()


def squared(obs, actor, critic):
    return -(critic(obs, actor(obs)) ** 2).mean()


def calls_backward(obs, actor, critic):
    loss = -critic(obs, actor(obs)).mean()
    loss.backward()
    return loss


def steps_an_optimizer(obs, actor, critic):
    optimizer = torch.optim.SGD(actor.parameters(), lr=0.1)
    loss = -critic(obs, actor(obs)).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.detach()


def max_over_batch(obs, actor, critic):
    return -critic(obs, actor(obs)).max()


def detached_then_requires_grad(obs, actor, critic):
    """Detaches the action, then re-enables grad on the copy: the graph to the actor is still cut."""
    action = actor(obs).detach().requires_grad_(True)
    return -critic(obs, action).mean()


CORRECT = [minus_mean, neg_method, torch_mean, divided_by_batch, in_float32]
WRONG = {
    sign_flipped: "the sign is flipped",
    sum_over_batch: "it sums over the batch",
    detached_action: "no gradient reaches the actor",
    under_no_grad: "does not require grad",
    per_sample: "expected one number",
    as_python_float: "return the loss as a torch tensor",
    squared: "it squares Q",
    calls_backward: "already called backward()",
    steps_an_optimizer: "changed the actor's weights",
    max_over_batch: "max over the batch",
    detached_then_requires_grad: "no gradient reaches the actor",
}

# The wrong answers whose mistake the notebook's text names (07, exercise 4: −mean of Q, the
# gradient reaches θ through Q_φ, only return the loss.)
NAMED_IN_TEXT = {
    sign_flipped, sum_over_batch, under_no_grad, detached_then_requires_grad, calls_backward,
    steps_an_optimizer, detached_action,
}
