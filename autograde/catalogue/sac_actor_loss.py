"""Student-style answers for sac_actor_loss(obs, policy, critics, alpha) -> scalar."""

import torch


def stacked_min(obs, policy, critics, alpha):
    action, log_prob = policy(obs)
    q = torch.stack([critic(obs, action) for critic in critics]).min(dim=0).values
    return (alpha * log_prob - q).mean()


def with_minimum(obs, policy, critics, alpha):
    pi, log_pi = policy(obs)
    q_pi = critics[0](obs, pi)
    for critic in critics[1:]:
        q_pi = torch.minimum(q_pi, critic(obs, pi))
    return torch.mean(alpha * log_pi - q_pi)


def amin_over_columns(obs, policy, critics, alpha):
    a, logp = policy(obs)
    q = torch.stack([c(obs, a) for c in critics], dim=1).amin(dim=1)
    return alpha * logp.mean() - q.mean()


def divided_by_batch(obs, policy, critics, alpha):
    a, logp = policy(obs)
    q = torch.min(torch.stack([c(obs, a) for c in critics]), dim=0)[0]
    return (alpha * logp - q).sum() / obs.shape[0]


def twin_unpacked(obs, policy, critics, alpha):
    qf1, qf2 = critics
    pi, log_pi = policy(obs)
    min_qf_pi = torch.min(qf1(obs, pi), qf2(obs, pi))
    return ((alpha * log_pi) - min_qf_pi).mean()


def in_float32(obs, policy, critics, alpha):
    a, logp = policy(obs)
    q = torch.stack([c(obs, a).float() for c in critics]).min(0).values
    return (float(alpha) * logp.float() - q).mean()


def _parts(obs, policy, critics):
    a, logp = policy(obs)
    return torch.stack([c(obs, a) for c in critics]), logp


def max_over_critics(obs, policy, critics, alpha):
    q, logp = _parts(obs, policy, critics)
    return (alpha * logp - q.max(0).values).mean()


def sign_flipped(obs, policy, critics, alpha):
    q, logp = _parts(obs, policy, critics)
    return (q.min(0).values - alpha * logp).mean()


def alpha_term_missing(obs, policy, critics, alpha):
    q, _ = _parts(obs, policy, critics)
    return -q.min(0).values.mean()


def entropy_sign(obs, policy, critics, alpha):
    q, logp = _parts(obs, policy, critics)
    return (-alpha * logp - q.min(0).values).mean()


def alpha_on_everything(obs, policy, critics, alpha):
    q, logp = _parts(obs, policy, critics)
    return alpha * (logp - q.min(0).values).mean()


def sum_over_batch(obs, policy, critics, alpha):
    q, logp = _parts(obs, policy, critics)
    return (alpha * logp - q.min(0).values).sum()


def one_critic_only(obs, policy, critics, alpha):
    a, logp = policy(obs)
    return (alpha * logp - critics[0](obs, a)).mean()


def mean_of_critics(obs, policy, critics, alpha):
    q, logp = _parts(obs, policy, critics)
    return (alpha * logp - q.mean(0)).mean()


def samples_twice(obs, policy, critics, alpha):
    a = policy(obs)[0]
    logp = policy(obs)[1]
    q = torch.min(critics[0](obs, a), critics[1](obs, a))
    return (alpha * logp - q).mean()


def detached_action(obs, policy, critics, alpha):
    a, logp = policy(obs)
    q = torch.stack([c(obs, a.detach()) for c in critics]).min(0).values
    return (alpha * logp - q).mean()


def detached_log_prob(obs, policy, critics, alpha):
    q, logp = _parts(obs, policy, critics)
    return (alpha * logp.detach() - q.min(0).values).mean()


def under_no_grad(obs, policy, critics, alpha):
    with torch.no_grad():
        q, logp = _parts(obs, policy, critics)
        return (alpha * logp - q.min(0).values).mean()


def per_sample(obs, policy, critics, alpha):
    q, logp = _parts(obs, policy, critics)
    return alpha * logp - q.min(0).values


def steps_an_optimizer(obs, policy, critics, alpha):
    optimizer = torch.optim.Adam(policy.parameters(), lr=1e-3)
    q, logp = _parts(obs, policy, critics)
    loss = (alpha * logp - q.min(0).values).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.detach()


def calls_backward(obs, policy, critics, alpha):
    q, logp = _parts(obs, policy, critics)
    loss = (alpha * logp - q.min(0).values).mean()
    loss.backward()
    return loss


CORRECT = [stacked_min, with_minimum, amin_over_columns, divided_by_batch, in_float32, twin_unpacked]
WRONG = {
    max_over_critics: "it takes the max over the critics",
    sign_flipped: "the sign is flipped",
    alpha_term_missing: "the entropy term α log π(a|s) is missing",
    entropy_sign: "the entropy term has the wrong sign",
    alpha_on_everything: "α multiplies the Q term too",
    sum_over_batch: "it sums over the batch",
    one_critic_only: "it uses only the first critic",
    mean_of_critics: "it averages the critics",
    samples_twice: "it samples the policy twice",
    detached_action: "the action is detached",
    detached_log_prob: "log π(a|s) is detached",
    under_no_grad: "does not require grad",
    per_sample: "expected one number",
    steps_an_optimizer: "changed the weights of policy",
    calls_backward: "already called backward()",
}

# The wrong answers whose mistake the notebook's text names (09, exercise 5: min over the critics,
# the sign, the α log π term, the gradient through the reparameterised sample, only return the loss).
NAMED_IN_TEXT = {max_over_critics, sign_flipped, alpha_term_missing, detached_action, steps_an_optimizer}
