"""The graded rules: one list that the hidden checks, the notebooks and the docs all read.

Each rule is a plain function the student writes in an answer cell. Its checks live in
``autograde/checks/test_<name>.py`` (a pytest module whose ``student`` fixture is the
student's function) and its catalogue of plausible wrong and correct answers in
``autograde/catalogue/<name>.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


@dataclass(frozen=True)
class Rule:
    name: str          # the function the student defines
    assignment: str
    points: float
    signature: str
    summary: str
    references: tuple[str, ...] = ()  # qlab's own answer (dotted paths): off limits while grading

    @property
    def checks(self) -> Path:
        return HERE / "checks" / f"test_{self.name}.py"

    @property
    def grade_id(self) -> str:
        """The grade_id of the nbgrader test cell that grades this rule."""
        return f"{self.name}_tests"


RULES: dict[str, Rule] = {rule.name: rule for rule in [
    Rule("q_backup", "01_value_iteration", 4,
         "q_backup(Q, P, R, terminal, gamma) -> Q_next",
         "one synchronous Bellman optimality backup: Q(s,a) = Σ_s' P (R + γ(1−d') max_a' Q(s',a'))",
         references=("qlab.tabular.planning.q_backup",)),
    Rule("value_iteration", "01_value_iteration", 3,
         "value_iteration(P, R, terminal, gamma, tol, backup) -> (Q, deltas)",
         "backups from Q_0 = 0 until max |Q_{k+1} − Q_k| < tol",
         references=("qlab.tabular.planning.value_iteration",)),
    Rule("greedy_policy", "01_value_iteration", 2,
         "greedy_policy(Q) -> actions",
         "π(s) = argmax_a Q(s, a)",
         references=("qlab.tabular.planning.greedy_policy",)),
    Rule("bridge_crossing", "01_value_iteration", 1,
         "bridge_crossing() -> (discount, noise)",
         "BridgeGrid: parameters under which the optimal policy crosses the bridge"),
    Rule("discount_grid", "01_value_iteration", 5,
         "discount_grid() -> {'a'..'e': (discount, noise, living_reward)}",
         "DiscountGrid: parameters that produce each of the five behaviours"),
    Rule("q_learning_update", "02_q_learning", 4,
         "q_learning_update(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma) -> Q",
         "Q(s,a) ← Q(s,a) + α [r + γ(1 − terminated) max_a' Q(s',a') − Q(s,a)]",
         references=("qlab.tabular.qlearning.q_learning_update",)),
    Rule("epsilon_greedy", "02_q_learning", 3,
         "epsilon_greedy(q_values, epsilon, rng) -> action",
         "a random action with probability ε, else a greedy one with random tie-breaking",
         references=("qlab.tabular.qlearning.epsilon_greedy",)),
    Rule("linear_schedule", "02_q_learning", 1,
         "linear_schedule(t, start, end, duration) -> value",
         "start → end linearly over `duration` steps, then end",
         references=("qlab.schedules.linear_schedule",)),
    # 03_approximate_q
    Rule("linear_q_update", "03_approximate_q", 4,
         "linear_q_update(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma) -> w",
         "w ← w + α (y − w·φ(s,a)) φ(s,a), y = r + γ(1 − terminated) max_a' w·φ(s',a') held constant",
         references=("qlab.linear.linear_q_update",)),
    Rule("fitted_q_iteration", "03_approximate_q", 4,
         "fitted_q_iteration(phi, rewards, phi_next, terminated, gamma, n_iterations) -> w",
         "w_0 = 0; K times: y = r + γ(1 − terminated) max_a' w_k·φ(s',a') from the frozen w_k, "
         "then w_{k+1} = least squares of y on φ(s,a)",
         references=("qlab.linear.fitted_q_iteration",)),
    # 04_dqn
    Rule("ring_add", "04_dqn", 2,
         "ring_add(storage, index, size, obs, action, reward, next_obs, terminated, truncated) -> (index, size)",
         "write (s, a, r, s', terminated) into slot `index` in place; the next index wraps around, size stops at capacity",
         references=("qlab.replay.ring.ring_add",)),
    Rule("sample_indices", "04_dqn", 2,
         "sample_indices(size, capacity, batch_size, rng) -> indices",
         "batch_size slots uniform with replacement over the size filled ones, drawn with rng",
         references=("qlab.replay.ring.sample_indices",)),
    Rule("dqn_target", "04_dqn", 3,
         "dqn_target(rewards, next_q_target, terminated, gamma) -> y",
         "y = r + γ(1 − terminated) max_a' Q_target(s', a'), shape (B,), no gradient",
         references=("qlab.rules.dqn_target",)),
    Rule("td_loss", "04_dqn", 3,
         'td_loss(q_values, actions, targets, kind="huber") -> loss',
         "mean Huber (δ = 1) or squared error between Q(s, a) of the actions taken and y",
         references=("qlab.rules.dqn_td_loss",)),
    Rule("hard_update", "04_dqn", 1,
         "hard_update(target, online) -> None",
         "θ' ← θ in place (parameters and buffers), no aliasing, no gradient",
         references=("qlab.rules.hard_update",)),
    Rule("polyak_update", "04_dqn", 2,
         "polyak_update(target, online, tau) -> None",
         "θ' ← τ θ + (1 − τ) θ' in place, τ the fraction of the online weights",
         references=("qlab.rules.polyak_update",)),
    # 05_double_nstep
    Rule("double_dqn_target", "05_double_nstep", 3,
         "double_dqn_target(rewards, next_q_online, next_q_target, terminated, gamma) -> targets",
         "y = r + γ(1 − terminated) Q'(s', argmax_a' Q(s', a')): the online network picks, the target network evaluates",
         references=("qlab.rules.double_dqn_target",)),
    Rule("nstep_returns", "05_double_nstep", 4,
         "nstep_returns(rewards, terminated, truncated, gamma, n) -> (returns, discounts, dones)",
         "Σ_{i<k} γ^i r_{t+i}, γ^k and the termination flag of windows of k ≤ n steps that stop at episode ends",
         references=("qlab.rules.nstep_returns",)),
    # 06_atari_dqn
    Rule("frame_stacks", "06_atari_dqn", 4,
         "frame_stacks(frames, age, slots, stack) -> (obs, next_obs)",
         "rebuild s and s′ of sampled transitions from a ring of single frames, never across an episode start",
         references=("qlab.replay.atari.frame_stacks",)),
    # 07_continuous
    Rule("random_shooting", "07_continuous", 2,
         "random_shooting(critic, obs, low, high, n_samples, rng) -> actions (B, act_dim)",
         "per state, the best of N uniform actions in the box: argmax_i Q(s, a_i)",
         references=("qlab.continuous.random_shooting",)),
    Rule("cross_entropy_method", "07_continuous", 3,
         "cross_entropy_method(critic, obs, low, high, n_samples, n_elites, n_iters, rng) -> actions (B, act_dim)",
         "sample N(μ, σ²) clipped to the box, refit μ, σ to the n_elites best, n_iters times; return μ",
         references=("qlab.continuous.cross_entropy_method",)),
    Rule("ddpg_critic_target", "07_continuous", 3,
         "ddpg_critic_target(rewards, next_obs, terminated, gamma, actor_target, critic_target) -> y (B,)",
         "y = r + γ (1 − terminated) Q_φ'(s', μ_θ'(s')), no gradient",
         references=("qlab.rules.ddpg_critic_target",)),
    Rule("ddpg_actor_loss", "07_continuous", 2,
         "ddpg_actor_loss(obs, actor, critic) -> scalar",
         "−mean_i Q_φ(s_i, μ_θ(s_i)), its gradient reaching the actor through the critic",
         references=("qlab.rules.ddpg_actor_loss",)),
    # 08_rainbow
    Rule("dueling_q", "08_rainbow", 2,
         "dueling_q(value, advantages) -> q_values",
         "Q(s, a) = V(s) + A(s, a) − mean_a' A(s, a'), the mean over each state's actions",
         references=("qlab.rainbow.dueling.dueling_q",)),
    Rule("sum_tree_update", "08_rainbow", 2,
         "sum_tree_update(nodes, leaf, priority) -> None",
         "set leaf i (node L + i) to the priority and every ancestor to the sum of its two children, in place",
         references=("qlab.rainbow.prioritized.sum_tree_update",)),
    Rule("sum_tree_find", "08_rainbow", 2,
         "sum_tree_find(nodes, prefix) -> leaf",
         "descend from the root: left if prefix < the left sum, else subtract it and go right; the leaf index",
         references=("qlab.rainbow.prioritized.sum_tree_find",)),
    Rule("td_priorities", "08_rainbow", 1,
         "td_priorities(td_errors, alpha, eps) -> priorities",
         "p_i^α = (|δ_i| + ε)^α, no gradient",
         references=("qlab.rainbow.prioritized.td_priorities",)),
    Rule("importance_weights", "08_rainbow", 2,
         "importance_weights(probs, size, beta) -> weights",
         "w_i = (N·P(i))^−β / max_j w_j, the max over the sampled batch",
         references=("qlab.rainbow.prioritized.importance_weights",)),
    # 08_rainbow (distributional, noisy)
    Rule("categorical_target", "08_rainbow", 4,
         "categorical_target(rewards, next_probs, terminated, gamma, support) -> target_probs (B, N)",
         "C51: project r + γ(1 − terminated) z, clipped to [v_min, v_max], onto the support, "
         "a* = argmax_a Σ_j z_j p_j(s', a) of the target network; no gradient",
         references=("qlab.rainbow.distributional.categorical_target",)),
    Rule("categorical_loss", "08_rainbow", 2,
         "categorical_loss(logits, actions, target_probs, weights=None) -> scalar",
         "mean_i w_i (−Σ_j m_ij log softmax_j(logits[i, a_i])), its gradient reaching the logits only",
         references=("qlab.rainbow.distributional.categorical_loss",)),
    Rule("noisy_linear", "08_rainbow", 3,
         "noisy_linear(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True) -> y (B, q)",
         "y = x (μ_w + σ_w ⊙ f(ε_out) f(ε_in)ᵀ)ᵀ + μ_b + σ_b ⊙ f(ε_out), f(ε) = sign(ε)√|ε|; no noise when not training",
         references=("qlab.rainbow.noisy.noisy_linear",)),
    Rule("noisy_init", "08_rainbow", 1,
         "noisy_init(in_features, out_features, sigma0, rng) -> (weight_mu, weight_sigma, bias_mu, bias_sigma)",
         "μ ~ U[−1/√p, 1/√p] drawn with rng, σ = σ0/√p, p = in_features; float32 tensors",
         references=("qlab.rainbow.noisy.noisy_init",)),
]}


def rules_for(assignment: str) -> list[Rule]:
    rules = [rule for rule in RULES.values() if rule.assignment == assignment]
    if not rules:
        known = sorted({rule.assignment for rule in RULES.values()})
        raise KeyError(f"no graded rules for assignment {assignment!r}; known assignments: {known}")
    return rules


def assignments() -> list[str]:
    return sorted({rule.assignment for rule in RULES.values()})


def get_rule(name: str) -> Rule:
    try:
        return RULES[name]
    except KeyError:
        raise KeyError(f"unknown graded rule {name!r}; known rules: {sorted(RULES)}") from None
