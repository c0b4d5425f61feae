"""A plausible half-right submission of 08_rainbow, for tests/test_cycles.py."""

HALF_RIGHT = {
    # right
    "dueling_q_answer": '''
def dueling_q(value, advantages):
    centred = advantages - advantages.mean(dim=1, keepdim=True)
    return value + centred
''',
    # adds the priority to the leaf's old value instead of setting it
    "sum_tree_update_answer": '''
def sum_tree_update(nodes, leaf, priority):
    node = len(nodes) // 2 + leaf
    nodes[node] += priority
    while node > 1:
        node //= 2
        nodes[node] = nodes[2 * node] + nodes[2 * node + 1]
''',
    # right, recursive
    "sum_tree_find_answer": '''
def sum_tree_find(nodes, prefix, node=1):
    leaves = len(nodes) // 2
    if node >= leaves:
        return node - leaves
    left = nodes[2 * node]
    if prefix < left:
        return sum_tree_find(nodes, prefix, 2 * node)
    return sum_tree_find(nodes, prefix - left, 2 * node + 1)
''',
    # adds ε after the power
    "td_priorities_answer": '''
def td_priorities(td_errors, alpha, eps):
    return td_errors.detach().abs() ** alpha + eps
''',
    # right
    "importance_weights_answer": '''
def importance_weights(probs, size, beta):
    weights = np.power(size * probs, -beta)
    return weights / np.max(weights)
''',
    # loses p_j when b lands exactly on an atom (l == u)
    "categorical_target_answer": '''
def categorical_target(rewards, next_probs, terminated, gamma, support):
    with torch.no_grad():
        v_min, v_max, n = support[0], support[-1], len(support)
        delta = (v_max - v_min) / (n - 1)
        best = (next_probs * support).sum(-1).argmax(-1)
        p = next_probs[torch.arange(len(rewards)), best]
        done = terminated.to(rewards.dtype)
        tz = (rewards[:, None] + gamma * (1 - done)[:, None] * support).clamp(v_min, v_max) if not torch.is_tensor(gamma) \\
            else (rewards[:, None] + gamma[:, None] * (1 - done)[:, None] * support).clamp(v_min, v_max)
        b = (tz - v_min) / delta
        l, u = b.floor(), b.ceil()
        m = torch.zeros_like(p)
        m.scatter_add_(1, l.long(), p * (u - b))
        m.scatter_add_(1, u.long(), p * (b - l))
        return m
''',
    # right with a loop over the batch, but lets the gradient flow into the target m
    "categorical_loss_answer": '''
def categorical_loss(logits, actions, target_probs, weights=None):
    losses = []
    for i in range(len(actions)):
        log_p = torch.log_softmax(logits[i, actions[i]], dim=-1)
        loss = -(target_probs[i] * log_p).sum()
        losses.append(loss if weights is None else weights[i] * loss)
    return torch.stack(losses).mean()
''',
    # f(ε) = sqrt|ε| without the sign
    "noisy_linear_answer": '''
def noisy_linear(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
    if not training:
        return x @ weight_mu.T + bias_mu
    f_in, f_out = eps_in.abs().sqrt(), eps_out.abs().sqrt()
    weight = weight_mu + weight_sigma * torch.outer(f_out, f_in)
    return x @ weight.T + bias_mu + bias_sigma * f_out
''',
    # right
    "noisy_init_answer": '''
def noisy_init(in_features, out_features, sigma0, rng):
    bound = in_features ** -0.5
    weight_mu = torch.tensor(rng.uniform(-bound, bound, size=(out_features, in_features)), dtype=torch.float32)
    bias_mu = torch.tensor(rng.uniform(-bound, bound, size=out_features), dtype=torch.float32)
    sigma = sigma0 * bound
    return weight_mu, torch.full_like(weight_mu, sigma), bias_mu, torch.full_like(bias_mu, sigma)
''',
}
HALF_RIGHT_POINTS = {"dueling_q": 2, "sum_tree_update": 0.25, "sum_tree_find": 2, "td_priorities": 0.12,
                     "importance_weights": 2, "categorical_target": 0.31, "categorical_loss": 1.78,
                     "noisy_linear": 0.38, "noisy_init": 1}
CLAIMS = {
    "identifiability": "your dueling_q: at the end mean V",
    "priorities-picture": "priorities: min",
    "distribution": "C51 with your rules: greedy return",
    "sigma": "noisy DQN with your layer: greedy return (no noise)",
    "ablation": "ablation:",
}
