"""Student-style answers for sac_temperature_loss(log_alpha, log_probs, target_entropy) -> scalar."""

import torch


def cleanrl(log_alpha, log_probs, target_entropy):
    return (-log_alpha * (log_probs.detach() + target_entropy)).mean()


def stable_baselines(log_alpha, log_probs, target_entropy):
    return -(log_alpha * (log_probs + target_entropy).detach()).mean()


def paper_form(log_alpha, log_probs, target_entropy):
    alpha = log_alpha.exp()
    return (-alpha * log_probs.detach() - alpha * target_entropy).mean()


def entropy_gap(log_alpha, log_probs, target_entropy):
    entropy = -log_probs.detach().mean()
    return log_alpha * (entropy - target_entropy)


def in_float32(log_alpha, log_probs, target_entropy):
    gap = (log_probs.detach().float() + target_entropy).mean()
    return -(log_alpha.float() * gap).squeeze()


def no_grad_gap(log_alpha, log_probs, target_entropy):
    with torch.no_grad():
        gap = log_probs.mean() + target_entropy
    return -log_alpha * gap


def sign_flipped(log_alpha, log_probs, target_entropy):
    return (log_alpha * (log_probs.detach() + target_entropy)).mean()


def paper_sign_flipped(log_alpha, log_probs, target_entropy):
    return (log_alpha.exp() * (log_probs.detach() + target_entropy)).mean()


def target_sign_flipped(log_alpha, log_probs, target_entropy):
    return (-log_alpha * (log_probs.detach() - target_entropy)).mean()


def target_missing(log_alpha, log_probs, target_entropy):
    return (-log_alpha * log_probs.detach()).mean()


def sum_over_batch(log_alpha, log_probs, target_entropy):
    return (-log_alpha * (log_probs.detach() + target_entropy)).sum()


def entropy_for_log_prob(log_alpha, log_probs, target_entropy):
    entropy = -log_probs.detach()
    return (-log_alpha * (entropy + target_entropy)).mean()


def alpha_detached(log_alpha, log_probs, target_entropy):
    alpha = log_alpha.exp().detach()
    return (-alpha * (log_probs.detach() + target_entropy)).mean()


def log_probs_not_detached(log_alpha, log_probs, target_entropy):
    return (-log_alpha * (log_probs + target_entropy)).mean()


def paper_not_detached(log_alpha, log_probs, target_entropy):
    return (-log_alpha.exp() * (log_probs + target_entropy)).mean()


def per_sample(log_alpha, log_probs, target_entropy):
    return -log_alpha * (log_probs.detach() + target_entropy)


def as_python_float(log_alpha, log_probs, target_entropy):
    return float((-log_alpha * (log_probs.detach() + target_entropy)).mean())


def steps_itself(log_alpha, log_probs, target_entropy):
    loss = (-log_alpha * (log_probs.detach() + target_entropy)).mean()
    loss.backward()
    return loss


CORRECT = [cleanrl, stable_baselines, paper_form, entropy_gap, in_float32, no_grad_gap]
WRONG = {
    sign_flipped: "the sign is flipped",
    paper_sign_flipped: "the sign is flipped",
    target_sign_flipped: "the target entropy has the wrong sign",
    target_missing: "the target entropy is missing",
    sum_over_batch: "it sums over the batch",
    entropy_for_log_prob: "the entropy −log π in place of log π",
    alpha_detached: "no gradient reaches log_alpha",
    log_probs_not_detached: "log_probs are not detached",
    paper_not_detached: "log_probs are not detached",
    per_sample: "expected one number",
    as_python_float: "returned a float",
    steps_itself: "already called backward()",
}

# The wrong answers whose mistake the notebook's text names (09, exercise 6: log π detached, the
# sign (α rises when the entropy is below its target), the mean over the batch).
NAMED_IN_TEXT = {sign_flipped, target_sign_flipped, log_probs_not_detached, sum_over_batch}
