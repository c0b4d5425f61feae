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
         "one synchronous Bellman optimality backup: Q(s,a) = Σ_s' P (R + γ(1−d') max_a' Q(s',a'))"),
    Rule("value_iteration", "01_value_iteration", 3,
         "value_iteration(P, R, terminal, gamma, tol, backup) -> (Q, deltas)",
         "backups from Q_0 = 0 until max |Q_{k+1} − Q_k| < tol"),
    Rule("greedy_policy", "01_value_iteration", 2,
         "greedy_policy(Q) -> actions",
         "π(s) = argmax_a Q(s, a)"),
    Rule("bridge_crossing", "01_value_iteration", 1,
         "bridge_crossing() -> (discount, noise)",
         "BridgeGrid: parameters under which the optimal policy crosses the bridge"),
    Rule("discount_grid", "01_value_iteration", 5,
         "discount_grid() -> {'a'..'e': (discount, noise, living_reward)}",
         "DiscountGrid: parameters that produce each of the five behaviours"),
    Rule("q_learning_update", "02_q_learning", 4,
         "q_learning_update(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma) -> Q",
         "Q(s,a) ← Q(s,a) + α [r + γ(1 − terminated) max_a' Q(s',a') − Q(s,a)]"),
    Rule("epsilon_greedy", "02_q_learning", 3,
         "epsilon_greedy(q_values, epsilon, rng) -> action",
         "a random action with probability ε, else a greedy one with random tie-breaking"),
    Rule("linear_schedule", "02_q_learning", 1,
         "linear_schedule(t, start, end, duration) -> value",
         "start → end linearly over `duration` steps, then end"),
    # 04_dqn
    Rule("ring_add", "04_dqn", 2,
         "ring_add(storage, index, size, obs, action, reward, next_obs, terminated, truncated) -> (index, size)",
         "write (s, a, r, s', terminated) into slot `index` in place; the next index wraps around, size stops at capacity"),
    Rule("sample_indices", "04_dqn", 2,
         "sample_indices(size, capacity, batch_size, rng) -> indices",
         "batch_size slots uniform with replacement over the size filled ones, drawn with rng"),
    Rule("dqn_target", "04_dqn", 3,
         "dqn_target(rewards, next_q_target, terminated, gamma) -> y",
         "y = r + γ(1 − terminated) max_a' Q_target(s', a'), shape (B,), no gradient"),
    Rule("td_loss", "04_dqn", 3,
         'td_loss(q_values, actions, targets, kind="huber") -> loss',
         "mean Huber (δ = 1) or squared error between Q(s, a) of the actions taken and y"),
    Rule("hard_update", "04_dqn", 1,
         "hard_update(target, online) -> None",
         "θ' ← θ in place (parameters and buffers), no aliasing, no gradient"),
    Rule("polyak_update", "04_dqn", 2,
         "polyak_update(target, online, tau) -> None",
         "θ' ← τ θ + (1 − τ) θ' in place, τ the fraction of the online weights"),
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
