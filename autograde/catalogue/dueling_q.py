"""Student-style answers for dueling_q(value, advantages) -> q_values."""

import torch


def vectorised(value, advantages):
    return value + advantages - advantages.mean(dim=1, keepdim=True)


def centred_first(value, advantages):
    centred = advantages - advantages.mean(1).unsqueeze(1)
    return value + centred


def sum_over_count(value, advantages):
    n_actions = advantages.shape[1]
    return value + (advantages - advantages.sum(dim=-1, keepdim=True) / n_actions)


def per_state_loop(value, advantages):
    rows = []
    for v, a in zip(value, advantages):
        rows.append(v + a - a.mean())
    return torch.stack(rows)


def expand_value(value, advantages):
    mean = torch.mean(advantages, dim=1, keepdim=True)
    return value.expand_as(advantages) + advantages - mean.expand_as(advantages)


def with_matmul(value, advantages):
    n = advantages.shape[1]
    centring = torch.eye(n, dtype=advantages.dtype, device=advantages.device) - 1.0 / n
    return value + advantages @ centring


def max_not_mean(value, advantages):
    return value + advantages - advantages.max(dim=1, keepdim=True).values


def min_not_mean(value, advantages):
    return value + (advantages - advantages.min(1, keepdim=True)[0])


def sum_not_mean(value, advantages):
    return value + advantages - advantages.sum(dim=1, keepdim=True)


def mean_over_batch(value, advantages):
    return value + advantages - advantages.mean(dim=0, keepdim=True)


def mean_of_everything(value, advantages):
    return value + advantages - torch.mean(advantages)


def no_subtraction(value, advantages):
    return value + advantages


def mean_without_keepdim(value, advantages):
    return value + advantages - advantages.mean(dim=1)


def value_as_vector(value, advantages):
    v = value.squeeze()
    if v.ndim == 0:
        v = v.unsqueeze(0)
    return v + (advantages - advantages.mean(dim=1, keepdim=True))


def loses_value(value, advantages):
    q = value + advantages
    return q - q.mean(dim=1, keepdim=True)


def centres_value_too(value, advantages):
    mean = advantages.mean(dim=1, keepdim=True)
    return (value - mean) + (advantages - mean)


def in_place(value, advantages):
    advantages -= advantages.mean(dim=1, keepdim=True)
    return value + advantages


def detached_mean(value, advantages):
    return value + advantages - advantages.mean(dim=1, keepdim=True).detach()


def detached_value(value, advantages):
    return value.detach() + advantages - advantages.mean(dim=1, keepdim=True)


def under_no_grad(value, advantages):
    with torch.no_grad():
        return value + advantages - advantages.mean(dim=1, keepdim=True)


CORRECT = [vectorised, centred_first, sum_over_count, per_state_loop, expand_value, with_matmul]
WRONG = {
    max_not_mean: "subtracts the max advantage",
    min_not_mean: "subtracts the min advantage",
    sum_not_mean: "subtracts the sum of the advantages",
    mean_over_batch: "averages the advantages over the batch",
    mean_of_everything: "over the whole batch and every action at once",
    no_subtraction: "without subtracting the mean advantage",
    mean_without_keepdim: "its mean over the actions has shape (B,)",
    value_as_vector: "V has shape (B,)",
    loses_value: "V is lost",
    centres_value_too: "from V as well as from A",
    in_place: "in place",
    detached_mean: "the mean advantage is detached",
    detached_value: "no gradient reaches value",
    under_no_grad: "carry no gradient",
}

# The wrong answers whose mistake the notebook's text names (08, exercise 1: the mean over each state's
# actions, not the max, not over the batch, not left out; V a (B, 1) column; the inputs left unchanged;
# the gradient reaching both streams through the mean).
NAMED_IN_TEXT = {
    max_not_mean, mean_over_batch, no_subtraction, mean_without_keepdim, value_as_vector, in_place, detached_mean,
}
