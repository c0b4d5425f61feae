"""Student-style answers for categorical_loss(logits, actions, target_probs, weights=None) -> loss."""

import torch
import torch.nn.functional as F


def _taken(logits, actions):
    return logits[torch.arange(logits.shape[0], device=logits.device), actions]


# ---------------------------------------------------------------------------- correct
def with_log_softmax(logits, actions, target_probs, weights=None):
    log_p = F.log_softmax(_taken(logits, actions), dim=-1)
    loss = -(target_probs.detach() * log_p).sum(dim=-1)
    if weights is not None:
        loss = loss * weights
    return loss.mean()


def with_gather(logits, actions, target_probs, weights=None):
    n_atoms = logits.shape[2]
    index = actions.view(-1, 1, 1).expand(-1, 1, n_atoms)
    chosen = logits.gather(1, index).squeeze(1)
    per_sample = -(target_probs.detach() * chosen.log_softmax(dim=1)).sum(1)
    return (per_sample * (1.0 if weights is None else weights)).mean()


def clamped_log(logits, actions, target_probs, weights=None):
    p = torch.softmax(_taken(logits, actions), dim=-1)
    per_sample = -(target_probs.detach() * torch.log(p.clamp(min=1e-8))).sum(-1)
    w = torch.ones_like(per_sample) if weights is None else weights
    return torch.mean(w * per_sample)


def torch_cross_entropy(logits, actions, target_probs, weights=None):
    """F.cross_entropy takes class probabilities as its target (torch ≥ 1.10)."""
    per_sample = F.cross_entropy(_taken(logits, actions), target_probs.detach(), reduction="none")
    return per_sample.mean() if weights is None else (weights * per_sample).mean()


def with_a_loop(logits, actions, target_probs, weights=None):
    total = 0.0
    batch = logits.shape[0]
    for i in range(batch):
        log_p = torch.log_softmax(logits[i, int(actions[i])], dim=0)
        term = -torch.dot(target_probs[i].detach(), log_p)
        total = total + (term if weights is None else weights[i] * term)
    return total / batch


def logsumexp_by_hand(logits, actions, target_probs, weights=None):
    chosen = _taken(logits, actions)
    log_p = chosen - torch.logsumexp(chosen, dim=1, keepdim=True)
    m = target_probs.detach()
    return torch.einsum("bn,bn,b->", m, -log_p, weights if weights is not None else torch.ones_like(m[:, 0])) / len(m)


# ---------------------------------------------------------------------------- wrong
def softmax_over_actions(logits, actions, target_probs, weights=None):
    log_p = F.log_softmax(logits, dim=1)                       # over the actions
    loss = -(target_probs.detach() * _taken(log_p, actions)).sum(-1)
    return (loss if weights is None else loss * weights).mean()


def no_action_gather(logits, actions, target_probs, weights=None):
    log_p = F.log_softmax(logits, dim=-1)                      # (B, A, N)
    loss = -(target_probs.detach().unsqueeze(1) * log_p).sum(-1)   # (B, A)
    return (loss if weights is None else loss * weights[:, None]).mean()


def sum_over_batch(logits, actions, target_probs, weights=None):
    loss = -(target_probs.detach() * F.log_softmax(_taken(logits, actions), dim=-1)).sum(-1)
    return (loss if weights is None else loss * weights).sum()


def sign_flipped(logits, actions, target_probs, weights=None):
    loss = (target_probs.detach() * F.log_softmax(_taken(logits, actions), dim=-1)).sum(-1)
    return (loss if weights is None else loss * weights).mean()


def kl_divergence(logits, actions, target_probs, weights=None):
    """F.kl_div(log p, m) is KL(m ‖ p): the cross-entropy less m's entropy."""
    log_p = F.log_softmax(_taken(logits, actions), dim=-1)
    per_sample = F.kl_div(log_p, target_probs.detach(), reduction="none").sum(-1)
    return (per_sample if weights is None else per_sample * weights).mean()


def kl_wrong_sign(logits, actions, target_probs, weights=None):
    log_p = F.log_softmax(_taken(logits, actions), dim=-1)
    per_sample = -F.kl_div(log_p, target_probs.detach(), reduction="none").sum(-1)
    return (per_sample if weights is None else per_sample * weights).mean()


def target_not_detached(logits, actions, target_probs, weights=None):
    loss = -(target_probs * F.log_softmax(_taken(logits, actions), dim=-1)).sum(-1)
    return (loss if weights is None else loss * weights).mean()


def weights_after_the_mean(logits, actions, target_probs, weights=None):
    loss = -(target_probs.detach() * F.log_softmax(_taken(logits, actions), dim=-1)).sum(-1).mean()
    return loss if weights is None else loss * weights.mean()


def ignores_weights(logits, actions, target_probs, weights=None):
    return -(target_probs.detach() * F.log_softmax(_taken(logits, actions), dim=-1)).sum(-1).mean()


def mean_over_atoms(logits, actions, target_probs, weights=None):
    loss = -(target_probs.detach() * F.log_softmax(_taken(logits, actions), dim=-1)).mean(-1)
    return (loss if weights is None else loss * weights).mean()


def log_of_softmax(logits, actions, target_probs, weights=None):
    p = F.softmax(_taken(logits, actions), dim=-1)
    loss = -(target_probs.detach() * p.log()).sum(-1)
    return (loss if weights is None else loss * weights).mean()


def most_probable_atom_as_label(logits, actions, target_probs, weights=None):
    per_sample = F.cross_entropy(_taken(logits, actions), target_probs.argmax(dim=1), reduction="none")
    return (per_sample if weights is None else per_sample * weights).mean()


def probabilities_without_log(logits, actions, target_probs, weights=None):
    loss = -(target_probs.detach() * F.softmax(_taken(logits, actions), dim=-1)).sum(-1)
    return (loss if weights is None else loss * weights).mean()


def normalised_by_weight_sum(logits, actions, target_probs, weights=None):
    loss = -(target_probs.detach() * F.log_softmax(_taken(logits, actions), dim=-1)).sum(-1)
    return loss.mean() if weights is None else (loss * weights).sum() / weights.sum()


def squared_error_of_distributions(logits, actions, target_probs, weights=None):
    p = F.softmax(_taken(logits, actions), dim=-1)
    loss = ((p - target_probs.detach()) ** 2).sum(-1)
    return (loss if weights is None else loss * weights).mean()


def detaches_the_logits(logits, actions, target_probs, weights=None):
    return with_log_softmax(logits.detach(), actions, target_probs, weights)


def per_sample_losses(logits, actions, target_probs, weights=None):
    loss = -(target_probs.detach() * F.log_softmax(_taken(logits, actions), dim=-1)).sum(-1)
    return loss if weights is None else loss * weights


CORRECT = [with_log_softmax, with_gather, clamped_log, torch_cross_entropy, with_a_loop, logsumexp_by_hand]
WRONG = {
    softmax_over_actions: "the softmax runs over the actions",
    no_action_gather: "does not gather the taken action's distribution",
    sum_over_batch: "sums over the batch",
    sign_flipped: "sign is flipped",
    kl_divergence: "KL(m ‖ p)",
    kl_wrong_sign: "−KL(m ‖ p)",
    target_not_detached: "the gradient reaches target_probs",
    weights_after_the_mean: "the weights multiply the batch mean",
    ignores_weights: "ignores the weights",
    mean_over_atoms: "averages over the atoms",
    log_of_softmax: "underflows",
    most_probable_atom_as_label: "class label",
    probabilities_without_log: "not their log",
    normalised_by_weight_sum: "divides by Σ w",
    squared_error_of_distributions: "got loss",
    detaches_the_logits: "carries no gradient",
    per_sample_losses: "returned shape",
}

# The wrong answers whose mistake the notebook's text names (08, the cross-entropy loss: the taken
# action's distribution, log_softmax over the atoms, the sign, the mean over the batch, weights per
# sample, the target a constant).
NAMED_IN_TEXT = {
    softmax_over_actions, no_action_gather, sign_flipped, target_not_detached, weights_after_the_mean,
    log_of_softmax, sum_over_batch,
}
