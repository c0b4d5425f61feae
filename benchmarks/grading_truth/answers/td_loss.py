"""Answers to td_loss(q_values, actions, targets, kind="huber") -> loss, written blind."""
import torch
import torch.nn.functional as F


def _taken(q_values, actions):
    return q_values.gather(1, actions.long().unsqueeze(1)).squeeze(1)


def w_column_broadcast(q_values, actions, targets, kind="huber"):
    q = q_values.gather(1, actions.unsqueeze(1))
    if kind == "huber":
        return F.smooth_l1_loss(q, targets)
    return ((q - targets) ** 2).mean()


def w_huber_missing_half(q_values, actions, targets, kind="huber"):
    delta = _taken(q_values, actions) - targets
    if kind == "huber":
        return torch.where(delta.abs() <= 1, delta ** 2, delta.abs() - 0.5).mean()
    return (delta ** 2).mean()


def w_ignores_kind(q_values, actions, targets, kind="huber"):
    return F.smooth_l1_loss(_taken(q_values, actions), targets)


def w_sum_not_mean(q_values, actions, targets, kind="huber"):
    q = _taken(q_values, actions)
    if kind == "huber":
        return F.smooth_l1_loss(q, targets, reduction="sum")
    return ((q - targets) ** 2).sum()


def w_max_not_taken(q_values, actions, targets, kind="huber"):
    q = q_values.max(dim=1).values
    return F.smooth_l1_loss(q, targets) if kind == "huber" else F.mse_loss(q, targets)


def w_rmse(q_values, actions, targets, kind="huber"):
    q = _taken(q_values, actions)
    if kind == "huber":
        return F.huber_loss(q, targets, delta=1.0)
    return torch.sqrt(((q - targets) ** 2).mean())


def w_detached_q(q_values, actions, targets, kind="huber"):
    q = q_values.detach()[torch.arange(len(actions)), actions].requires_grad_()
    return F.smooth_l1_loss(q, targets) if kind == "huber" else F.mse_loss(q, targets)


def w_gather_dim0(q_values, actions, targets, kind="huber"):
    q = q_values[:, actions]
    return F.smooth_l1_loss(q, targets) if kind == "huber" else F.mse_loss(q, targets)


def w_huber_delta_two(q_values, actions, targets, kind="huber"):
    q = _taken(q_values, actions)
    return F.huber_loss(q, targets, delta=2.0) if kind == "huber" else F.mse_loss(q, targets)


def c_manual_where(q_values, actions, targets, kind="huber"):
    q = q_values[torch.arange(q_values.shape[0]), actions]
    d = q - targets
    if kind == "mse":
        return (d * d).mean()
    a = d.abs()
    return torch.where(a <= 1.0, 0.5 * d * d, a - 0.5).mean()


def c_one_hot_mask(q_values, actions, targets, kind="huber"):
    mask = F.one_hot(actions.long(), q_values.shape[1]).to(q_values.dtype)
    q = (q_values * mask).sum(dim=1)
    if kind == "huber":
        return F.huber_loss(q, targets.to(q.dtype), delta=1.0, reduction="mean")
    return F.mse_loss(q, targets.to(q.dtype))


def c_loop_stack(q_values, actions, targets, kind="huber"):
    losses = []
    for i in range(len(actions)):
        d = q_values[i, int(actions[i])] - targets[i]
        if kind == "huber":
            losses.append(0.5 * d ** 2 if abs(float(d)) <= 1 else abs(d) - 0.5)
        else:
            losses.append(d ** 2)
    return torch.stack(losses).sum() / len(losses)


WRONG = {
    w_column_broadcast: "gathered (B, 1) column minus (B,) targets broadcasts to (B, B)",
    w_huber_missing_half: "Huber's quadratic part without the 1/2 (x² instead of x²/2)",
    w_ignores_kind: "always Huber, ignores kind='mse'",
    w_sum_not_mean: "sums the losses instead of averaging",
    w_max_not_taken: "uses max_a Q(s, a) instead of the Q of the action taken",
    w_rmse: "kind='mse' returns the root mean squared error",
    w_detached_q: "detaches the Q-values: no gradient reaches q_values",
    w_gather_dim0: "q_values[:, actions] picks a (B, B) block instead of one entry per row",
    w_huber_delta_two: "Huber with δ = 2 instead of 1",
}
CORRECT = [c_manual_where, c_one_hot_mask, c_loop_stack]
