"""Student-style answers for td_loss(q_values, actions, targets, kind="huber") -> loss."""

import torch
import torch.nn.functional as F


def with_gather(q_values, actions, targets, kind="huber"):
    q = q_values.gather(1, actions.long().unsqueeze(1)).squeeze(1)
    if kind == "huber":
        return F.smooth_l1_loss(q, targets)
    return F.mse_loss(q, targets)


def with_indexing(q_values, actions, targets, kind="huber"):
    q = q_values[torch.arange(len(actions)), actions]
    loss = F.huber_loss(q, targets, delta=1.0) if kind == "huber" else ((q - targets) ** 2).mean()
    return loss


def by_hand(q_values, actions, targets, kind="huber"):
    td = q_values.gather(1, actions.view(-1, 1)).view(-1) - targets
    if kind == "mse":
        return (td * td).mean()
    small = td.abs() <= 1.0
    return torch.where(small, 0.5 * td ** 2, td.abs() - 0.5).mean()


def with_a_loop(q_values, actions, targets, kind="huber"):
    total = 0.0
    for i in range(len(actions)):
        d = q_values[i, int(actions[i])] - targets[i]
        if kind == "mse" or abs(float(d)) <= 1:
            total = total + (d ** 2 if kind == "mse" else 0.5 * d ** 2)
        else:
            total = total + d.abs() - 0.5
    return total / len(actions)


def with_one_hot(q_values, actions, targets, kind="huber"):
    mask = F.one_hot(actions.long(), q_values.shape[1]).to(q_values.dtype)
    q = (q_values * mask).sum(dim=1)
    criterion = torch.nn.SmoothL1Loss() if kind == "huber" else torch.nn.MSELoss()
    return criterion(q, targets.to(q.dtype))


def greedy_q_not_taken(q_values, actions, targets, kind="huber"):
    q = q_values.max(dim=1).values
    return F.smooth_l1_loss(q, targets) if kind == "huber" else F.mse_loss(q, targets)


def keeps_the_column(q_values, actions, targets, kind="huber"):
    q = q_values.gather(1, actions.unsqueeze(1))      # (B, 1)
    td = q - targets                                   # (B, 1) - (B,) -> (B, B)
    if kind == "mse":
        return (td ** 2).mean()
    return torch.where(td.abs() <= 1, 0.5 * td ** 2, td.abs() - 0.5).mean()


def column_indexing(q_values, actions, targets, kind="huber"):
    q = q_values[:, actions]                           # (B, B)
    return F.smooth_l1_loss(q, targets.expand_as(q)) if kind == "huber" else F.mse_loss(q, targets.expand_as(q))


def every_action_regressed(q_values, actions, targets, kind="huber"):
    y = targets.unsqueeze(1).expand_as(q_values)
    return F.smooth_l1_loss(q_values, y) if kind == "huber" else F.mse_loss(q_values, y)


def always_mse(q_values, actions, targets, kind="huber"):
    q = q_values.gather(1, actions.unsqueeze(1)).squeeze(1)
    return F.mse_loss(q, targets)


def always_huber(q_values, actions, targets, kind="huber"):
    q = q_values.gather(1, actions.unsqueeze(1)).squeeze(1)
    return F.smooth_l1_loss(q, targets)


def huber_without_half(q_values, actions, targets, kind="huber"):
    td = q_values.gather(1, actions.unsqueeze(1)).squeeze(1) - targets
    if kind == "mse":
        return (td ** 2).mean()
    return torch.where(td.abs() <= 1, 0.5 * td ** 2, td.abs()).mean()


def l1_for_huber(q_values, actions, targets, kind="huber"):
    q = q_values.gather(1, actions.unsqueeze(1)).squeeze(1)
    return F.l1_loss(q, targets) if kind == "huber" else F.mse_loss(q, targets)


def sums(q_values, actions, targets, kind="huber"):
    q = q_values.gather(1, actions.unsqueeze(1)).squeeze(1)
    reduction = "sum"
    return F.smooth_l1_loss(q, targets, reduction=reduction) if kind == "huber" else F.mse_loss(q, targets, reduction=reduction)


def half_mse(q_values, actions, targets, kind="huber"):
    q = q_values.gather(1, actions.unsqueeze(1)).squeeze(1)
    return F.smooth_l1_loss(q, targets) if kind == "huber" else 0.5 * F.mse_loss(q, targets)


def detached_q(q_values, actions, targets, kind="huber"):
    q = q_values.detach().gather(1, actions.unsqueeze(1)).squeeze(1)
    return F.smooth_l1_loss(q, targets) if kind == "huber" else F.mse_loss(q, targets)


def per_sample(q_values, actions, targets, kind="huber"):
    q = q_values.gather(1, actions.unsqueeze(1)).squeeze(1)
    return F.smooth_l1_loss(q, targets, reduction="none") if kind == "huber" else (q - targets) ** 2


def two_mistakes(q_values, actions, targets, kind="huber"):
    q = q_values.max(dim=1).values
    return F.mse_loss(q, targets, reduction="sum")


CORRECT = [with_gather, with_indexing, by_hand, with_a_loop, with_one_hot]
WRONG = {
    greedy_q_not_taken: "greedy Q-value",
    keeps_the_column: "(B, B) matrix",
    column_indexing: "q_values[:, actions]",
    every_action_regressed: "every action's Q-value",
    always_mse: "always uses the squared error",
    always_huber: "always uses the Huber loss",
    huber_without_half: "not |x| − 0.5",
    l1_for_huber: "absolute error |x| everywhere",
    sums: "sums over the batch",
    half_mse: "halves the squared error",
    detached_q: "no gradient",
    per_sample: "returned shape (4,)",
    two_mistakes: "got loss",
}

# The wrong answers whose mistake the notebook's text names (04, exercise 3: gather the action
# taken, the (B, B) broadcasting trap, mse vs Huber (½x², |x| − ½), the mean, a gradient into
# q_values.)
NAMED_IN_TEXT = {
    greedy_q_not_taken, keeps_the_column, column_indexing, every_action_regressed, always_mse,
    always_huber, huber_without_half, l1_for_huber, sums, half_mse, detached_q,
}
