"""Checks for cross_entropy_method(critic, obs, low, high, n_samples, n_elites, n_iters, rng)
-> actions (B, act_dim).

Start from N(μ, σ²) with μ the centre of the box and σ its half-width; n_iters times: sample
N actions, clip them to the box, keep the n_elites with the largest Q(s, a), refit μ and σ
(per dimension) to the elites. Return μ.

The answer is random, so the checks test properties over many states. CEM sometimes settles
early on a point near, not at, the best action (the reference does so on about 1% of states
at N = 64 and 6 elites, measured over 200,000 states), so precision is judged by the MEDIAN
over 200 states: it fails only if at least 100 of 200 independent states fail; even at a
per-state failure rate of 10% that has probability < 1e-30 (Chernoff).

The steps are observed too: the critic handed to the student records (on the grader's side)
every (state, action) pair it scores and the value it returns. Split per state into rounds of
n_samples, the record shows how many rounds ran, whether samples were clipped, and which μ the
answer is (the elites of the last round are known exactly). Where each round sampled from is
judged statistically, whatever the order of the draws: under a model (μ, σ) of a round, each
sample's ε_i = (a_i − μ)/σ is a standard normal, and for a threshold t whose point μ + σt lies
strictly inside the box, clipping does not change whether ε_i ≤ t; the count of such events is
compared with Φ(t) by an Azuma–Hoeffding bound (the rounds' models depend only on earlier
rounds, so the counts are martingales). Both σ estimators (ddof 0 and 1) are accepted; a
mistake's model is named when it alone explains the counts.
"""

from math import erf, log, sqrt

import numpy as np
import pytest
import torch

from autograde.checks.continuous import HIGH, LOW, Critic, Record, actions_of, inside, outside_box, per_state, \
    quadratic, states
from autograde.checks.diagnosis import Mistake, computing_dtype, expect
from autograde.checks.test_random_shooting import RecordDifferential
from qlab.continuous import cross_entropy_method as reference

CENTRE = (LOW + HIGH) / 2


def cem(student, obs, n_samples, n_elites, n_iters, rng, critic):
    return actions_of(student(Critic(critic), obs, LOW.copy(), HIGH.copy(), n_samples, n_elites, n_iters, rng),
                      "cross_entropy_method", obs.shape[0], obs.dtype)


def distances(critic, obs, actions):
    return (actions - critic.best_action(obs).to(actions.dtype)).norm(dim=1)


def check_precision(student, peaks_inside: bool):
    critic, obs = quadratic(peaks_inside), states(200, seed=11)
    actions = cem(student, obs, 64, 6, 10, np.random.default_rng(11), critic)
    problem = outside_box(actions)
    expect(problem is None, f"{problem}: clip every sample to the box [low, high] before you evaluate it")
    distance = distances(critic, obs, actions)
    median = distance.median().item()
    if median > 0.02:
        centre = (torch.as_tensor(CENTRE) - critic.best_action(obs)).norm(dim=1).median().item()
        where = ("the peaks of Q lie outside the box, so the best actions are on its boundary; " if not peaks_inside
                 else "")
        near_centre = (f" — about as far as the box's centre {CENTRE.tolist()} is ({centre:.3g})"
                       if abs(median - centre) < 0.25 * centre else "")
        i = int((distance - distance.median()).abs().argmin())
        observation = (
            f"{where}after 10 iterations with N = 64 and 6 elites, your actions are a median distance {median:.3g} "
            f"from the best actions{near_centre} (a correct CEM: about 1e-6); e.g. state {obs[i].tolist()}: yours "
            f"{[round(x, 3) for x in actions[i].tolist()]}, best {[round(x, 3) for x in critic.best_action(obs)[i].tolist()]}")
        named = DIFFERENTIAL.diagnose(student)
        raise Mistake(f"{named} ({observation})" if named else
                      f"{observation}. Each iteration refits μ and σ to the n_elites samples with the largest Q(s, a)")


@pytest.mark.public
def test_actions_stay_inside_the_box(student):
    """the answer stays inside the box, also where Q's peak lies outside it (samples clipped)"""
    critic, obs = quadratic(peaks_inside=False), states(50, seed=3)
    actions = cem(student, obs, 32, 4, 5, np.random.default_rng(3), critic)
    problem = outside_box(actions)
    expect(problem is None, f"Q's peak for this state lies outside the box and {problem}: clip every sample to the "
                            "box [low, high] before you evaluate it, so μ (a mean of clipped elites) stays inside")


@pytest.mark.public
def test_converges_to_the_best_action(student):
    """refitting to the elites converges to the best action (median over 200 states)"""
    check_precision(student, peaks_inside=True)


@pytest.mark.public
def test_finds_the_best_action_on_the_boundary(student):
    """where Q's peak lies outside the box, it finds the best action on the box's boundary"""
    check_precision(student, peaks_inside=False)


@pytest.mark.public
def test_randomness_comes_from_rng(student):
    """all randomness comes from rng: the same generator state gives the same answer, and rng is used"""
    critic, obs = quadratic(), states(4)
    rng = np.random.default_rng(5)
    before = rng.bit_generator.state
    first = cem(student, obs, 16, 4, 2, rng, critic)
    expect(rng.bit_generator.state != before,
           "cross_entropy_method did not draw from `rng` (its state did not change): take every random number "
           "from the generator you are given (rng.standard_normal, rng.normal), not np.random or a new generator")
    again = cem(student, obs, 16, 4, 2, np.random.default_rng(5), critic)
    expect(torch.equal(first, again), "called twice with generators in the same state, cross_entropy_method "
                                      "returned different answers: take every random number from `rng`")


def test_one_iteration_is_one_refit(student):
    """n_iters = 1 is one round: μ moves from the box's centre towards the best actions, and not further.

    Over 200 states the reference's mean distance to the best action after one round is 0.18
    (from 0.57 at the centre; per-state distances lie in [0, 2.3], so by Hoeffding the mean of
    200 is within 0.25 of its expectation with probability ≥ 1 − 1e-6): the check asks for a
    mean in [0.05, 0.43].
    """
    critic, obs = quadratic(), states(200, seed=12)
    actions = cem(student, obs, 64, 6, 1, np.random.default_rng(12), critic)
    mean = distances(critic, obs, actions).mean().item()
    centre = (torch.as_tensor(CENTRE) - critic.best_action(obs)).norm(dim=1).mean().item()
    if mean < 0.05:
        DIFFERENTIAL.outcome(f"with n_iters = 1 your actions are already a mean distance {mean:.3g} from the best "
                             "actions, as close as after many rounds: do exactly n_iters rounds of "
                             "sample–select–refit", student)
    if mean > 0.43:
        DIFFERENTIAL.outcome(f"with n_iters = 1 your actions are a mean distance {mean:.3g} from the best actions, "
                             f"the box's centre {CENTRE.tolist()} is {centre:.3g}: one round must refit μ to the "
                             "elites (do exactly n_iters rounds of sample–select–refit, and return the refitted μ)",
                             student)


def test_float32_and_one_state(student):
    """works for a single state (batch 1) and in float32 (median over 20 states: failing needs 10
    of 20 to fail, < 1e-11 at the reference's 2% per-state rate)"""
    critic = quadratic()
    one = cem(student, states(1, seed=4), 64, 8, 8, np.random.default_rng(4), critic)
    expect(outside_box(one) is None, f"with a single state (obs of shape (1, 3)): {outside_box(one)}")
    obs = states(20, seed=5).to(torch.float32)
    actions = cem(student, obs, 64, 8, 8, np.random.default_rng(5), critic)
    expect(outside_box(actions) is None, f"with float32 observations: {outside_box(actions)}")
    median = distances(critic, obs.double(), actions.double()).median().item()
    if median >= 0.05:
        DIFFERENTIAL.outcome(f"with float32 observations your actions are a median distance {median:.3g} from the "
                             "best actions (a correct CEM: below 1e-3)", student)


# ------------------------------------------------------------------ observed steps
B, N, E, K, SEED = 200, 64, 6, 4, 21        # the probe: 200 states, 4 rounds of 64 samples, 6 elites
DELTA = 1e-7                                 # per threshold count (a check tests at most 7: ≤ 7e-7)
THRESHOLDS = (-1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0)

NEVER = "it never calls the critic: score every sample with critic(obs, actions) and keep the n_elites best"
FEWER_ROUNDS = ("it runs one round fewer than n_iters (range(n_iters − 1)?): do exactly n_iters rounds of "
                "sample–select–refit")
MORE_ROUNDS = ("it runs one round more than n_iters (range(n_iters + 1)?): do exactly n_iters rounds of "
               "sample–select–refit")
ROUNDS = ("it does not run n_iters rounds of n_samples samples: do exactly n_iters rounds, each scoring "
          "n_samples actions per state")
CLIP = ("the critic was asked about actions outside the box: clip every sample to the box [low, high] before you "
        "evaluate it")
START_WIDTH = ("it starts from σ = high − low, the box's width: start from μ = the box's centre and σ = its "
               "half-width, (high − low) / 2")
START_STANDARD = ("it starts from μ = 0, σ = 1: start from μ = the box's centre, (low + high) / 2, and σ = its "
                  "half-width, (high − low) / 2")
START_UNIFORM = ("its first round samples uniformly in the box: sample a_i = μ + σ ⊙ ε_i, ε_i ~ N(0, I), from "
                 "μ = the box's centre and σ = its half-width")
REFIT_UNIFORM = ("it samples uniformly in the box every round, ignoring the refitted μ and σ: sample "
                 "a_i = μ + σ ⊙ ε_i, ε_i ~ N(0, I), from the last fit")
SIGMA_FIXED = ("σ is never refitted (it stays the box's half-width): refit σ to the elites' standard deviation "
               "each round")
VARIANCE = ("σ is refitted to the elites' variance: σ is their standard deviation, the square root of the "
            "variance")
REFIT_ALL = "μ and σ are refitted to all n_samples samples, not to the n_elites best (the elites)"
REFIT_WORST = "the elites are the n_elites samples with the smallest Q: keep those with the largest Q(s, a)"
REFIT_BATCH = ("the elites are ranked across the whole batch: rank each state's own samples (each state has its "
               "own Gaussian)")
REFIT_FEWER = ("it refits to n_elites − 1 samples and leaves out the best (a slice such as [-n_elites:-1]?): the "
               "elites are exactly the n_elites best")
RETURN_BEST = "it returns the best sample of the last round: return μ, the mean of the last round's elites"
RETURN_STD = "it returns σ, not μ: return the mean of the last round's elites"
RETURN_PREVIOUS = ("it returns the μ the last round sampled from, not μ refitted to that round's elites: return μ "
                   "after the last refit")
RETURN_ALL = "it returns the mean of all n_samples samples of the last round, not of its n_elites best"
RETURN_WORST = "it returns the mean of the n_elites samples with the smallest Q: the elites have the largest Q(s, a)"
RETURN_BATCH = "it returns one μ for the whole batch: rank each state's own samples, and return each state's μ"
RETURN_FEWER = ("it returns the mean of n_elites − 1 samples that leave out the best (a slice such as "
                "[-n_elites:-1]?): average the n_elites best")

CENTRE_, HALF_ = (LOW + HIGH) / 2, (HIGH - LOW) / 2


def _phi(t: float) -> float:
    return 0.5 * (1 + erf(t / sqrt(2)))


_RUNS: dict = {}


def observed(student):
    """The probe's run, cached per student (by identity): (answer (B, d) float64 numpy, its
    dtype, record, per-state rounds (B, R, N, d) and values (B, R, N) or None when the record
    cannot be split into rounds of N)."""
    if _RUNS.get("student") is not student:
        _RUNS.clear()
        record = Record()
        obs = states(B, seed=SEED)
        answer = cem_recorded(student, obs, record)
        rounds = None
        if not record.shipped and record.rows and not record.overflow:
            groups, strangers = per_state(record, obs)
            counts = {len(v) for _, v in groups}
            if strangers == 0 and len(counts) == 1 and counts.pop() % N == 0 and len(groups[0][1]) >= N:
                r = len(groups[0][1]) // N
                rounds = (np.stack([c for c, _ in groups]).reshape(B, r, N, -1),
                          np.stack([v for _, v in groups]).reshape(B, r, N))
        _RUNS.update(student=student, run=(answer, record, rounds))
    return _RUNS["run"]


def cem_recorded(student, obs, record):
    returned = student(Critic(quadratic(), record), obs, LOW.copy(), HIGH.copy(), N, E, K, np.random.default_rng(SEED))
    return actions_of(returned, "cross_entropy_method", B, obs.dtype), computing_dtype(returned)


CALL = f"cross_entropy_method(critic, obs, low, high, n_samples={N}, n_elites={E}, n_iters={K}, rng) on {B} states"


def _order(values, largest=True):
    return np.argsort(-values if largest else values, axis=-1, kind="stable")


def _fit(samples, values, count, largest=True, ddof=0, across=False, skip=0):
    """μ, σ of the ``count`` samples with the largest (or smallest) values: per state, or across the batch."""
    if across:
        flat, v = samples.reshape(-1, samples.shape[-1]), values.reshape(-1)
        chosen = flat[_order(v, largest)[:count]]
        mu, sd = chosen.mean(0), chosen.std(0, ddof=ddof) if count > ddof else np.zeros(samples.shape[-1])
        return np.broadcast_to(mu, (samples.shape[0], len(mu))), np.broadcast_to(sd, (samples.shape[0], len(sd)))
    index = _order(values, largest)[:, skip:skip + count]
    chosen = np.take_along_axis(samples, index[..., None], axis=1)
    return chosen.mean(1), (chosen.std(1, ddof=ddof) if count > ddof else np.zeros(chosen.mean(1).shape))


def _gaussian(mu, sd):
    return ("gaussian", mu, sd)


UNIFORM = ("uniform", None, None)
START = {  # a model of round 1: its sampling distribution
    None: [_gaussian(np.tile(CENTRE_, (B, 1)), np.tile(HALF_, (B, 1)))],
    START_WIDTH: [_gaussian(np.tile(CENTRE_, (B, 1)), np.tile(2 * HALF_, (B, 1)))],
    START_STANDARD: [_gaussian(np.zeros((B, 2)), np.ones((B, 2)))],
    START_UNIFORM: [UNIFORM],
}
REFIT = {  # a model of round k + 1 from round k's samples and values: its sampling distributions (ddof 0 and 1)
    None: lambda x, v: [_gaussian(*_fit(x, v, E, ddof=d)) for d in (0, 1)],
    SIGMA_FIXED: lambda x, v: [_gaussian(_fit(x, v, E)[0], np.tile(HALF_, (B, 1)))],
    VARIANCE: lambda x, v: [_gaussian(_fit(x, v, E)[0], _fit(x, v, E, ddof=d)[1] ** 2) for d in (0, 1)],
    REFIT_ALL: lambda x, v: [_gaussian(*_fit(x, v, N, ddof=d)) for d in (0, 1)],
    REFIT_WORST: lambda x, v: [_gaussian(*_fit(x, v, E, largest=False, ddof=d)) for d in (0, 1)],
    REFIT_BATCH: lambda x, v: [_gaussian(*_fit(x, v, E, ddof=d, across=True)) for d in (0, 1)],
    REFIT_FEWER: lambda x, v: [_gaussian(*_fit(x, v, E - 1, ddof=d, skip=1)) for d in (0, 1)],
    REFIT_UNIFORM: lambda x, v: [UNIFORM],
}


def _counts(model, samples):
    """(events, trials) per threshold for one round's samples (B, N, d) under one model."""
    kind, mu, sd = model
    if kind == "uniform":
        points = [(LOW + q * (HIGH - LOW), q) for q in (0.25, 0.5, 0.75)]
        return [((samples <= x).sum(), samples.shape[0] * samples.shape[1] * 2, p) for x, p in points]
    out = []
    for t in THRESHOLDS:
        x = mu + sd * t
        valid = (x > LOW + 1e-9) & (x < HIGH - 1e-9) & (sd > 1e-12)
        events = (samples <= x[:, None, :] + 1e-12 * np.abs(x[:, None, :])) & valid[:, None, :]
        out.append((events.sum(), int(valid.sum()) * samples.shape[1], _phi(t)))
    return out


def explains(models_per_round, rounds_samples) -> bool:
    """Whether some variant (ddof) of a model explains every threshold count over the rounds."""
    variants = len(models_per_round[0])
    total = sum(x.size for x in rounds_samples)                    # every (sample, dimension) pair tested
    margin = sqrt(total * log(2 / DELTA) / 2)                       # Azuma–Hoeffding, at most DELTA per count
    for variant in range(variants):
        sums = {}
        for models, samples in zip(models_per_round, rounds_samples):
            for i, (events, trials, p) in enumerate(_counts(models[variant], samples)):
                e, n, _ = sums.get(i, (0, 0, p))
                sums[i] = (e + events, n + trials, p)
        if all(abs(e - p * n) <= margin for e, n, p in sums.values()):
            return True
    return False


def judge_rounds(student):
    (answer, _), record, _ = observed(student)
    if record.shipped:
        return
    expect(record.rows > 0, f"{NEVER} ({CALL} never called critic(obs, actions))")
    expect(not record.overflow, f"{ROUNDS} ({CALL} asked the critic about more than {Record.MAX_ROWS:,} actions; "
                                f"{K} rounds of {N} samples for {B} states are {K * N * B:,})")
    groups, strangers = per_state(record, states(B, seed=SEED))
    expect(strangers == 0, f"the critic was called with states that are not rows of obs: score each state's samples "
                           f"with that state ({CALL}: {strangers} of {record.rows} pairs had another state)")
    counts = [len(v) for _, v in groups]
    if any(c != K * N for c in counts):
        i = next(i for i, c in enumerate(counts) if c != K * N)
        name = (FEWER_ROUNDS if all(c == (K - 1) * N for c in counts) else
                MORE_ROUNDS if all(c == (K + 1) * N for c in counts) else ROUNDS)
        raise Mistake(f"{name} ({CALL}: the critic scored {counts[i]} actions for state {i}; {K} rounds of {N} "
                      f"samples are {K * N})")


def judge_clipping(student):
    _, record, _ = observed(student)
    if record.shipped or not record.rows or record.overflow:
        return
    actions = np.concatenate(record.actions)
    ok = inside(actions)
    if not ok.all():
        raise Mistake(f"{CLIP} ({CALL}: the critic scored {[round(x, 4) for x in actions[~ok][0].tolist()]}, outside "
                      f"[{LOW.tolist()}, {HIGH.tolist()}]; {int((~ok).sum())} of {len(actions)} samples lay outside)")


def _named(candidates, data) -> list:
    return [name for name, models in candidates.items() if name is not None and explains(*models(data))]


def judge_start(student):
    """Round 1 samples from N(centre, half-width²), clipped (false-fail probability ≤ 5e-7:
    five thresholds lie inside the box, each count within its Azuma–Hoeffding margin at 1 − 1e-7)."""
    _, _, rounds = observed(student)
    if rounds is None:
        return
    first = rounds[0][:, 0]
    if explains([START[None]], [first]):
        return
    named = [name for name, model in START.items() if name is not None and explains([model], [first])]
    mean = first.reshape(-1, 2).mean(0)
    observed_ = (f"{CALL}: the first round's samples average {[round(x, 3) for x in mean.tolist()]} (clipped "
                 f"N(μ, σ²) from the box's centre {CENTRE_.tolist()} and half-width {HALF_.tolist()} averages the "
                 f"centre) and are not distributed as N(μ, σ²) from there, clipped, by far more than chance")
    if len(named) == 1:
        raise Mistake(f"{named[0]} ({observed_})")
    raise Mistake(f"start from μ = the box's centre and σ = its half-width, sample a_i = μ + σ ⊙ ε_i and clip "
                  f"({observed_})")


def judge_refits(student):
    """Rounds 2 … sample from N(μ, σ²), μ and σ refitted (ddof 0 or 1) to the previous round's
    n_elites best (false-fail probability ≤ 7e-7: seven thresholds, each within its margin at 1 − 1e-7)."""
    _, _, rounds = observed(student)
    if rounds is None or rounds[0].shape[1] < 2:
        return
    x, v = rounds
    later = [x[:, r] for r in range(1, x.shape[1])]

    def models(refit):
        return [refit(x[:, r - 1], v[:, r - 1]) for r in range(1, x.shape[1])]
    if explains(models(REFIT[None]), later):
        return
    named = [name for name, refit in REFIT.items() if name is not None and explains(models(refit), later)]
    mu, sd = _fit(x[:, 0], v[:, 0], E)
    i = 0
    spread = x[i, 1].std(0)
    observed_ = (f"{CALL}: e.g. state {i}, after round 1 the {E} elites have mean "
                 f"{[round(a, 3) for a in mu[i].tolist()]} and standard deviation {[round(a, 3) for a in sd[i].tolist()]};"
                 f" round 2's samples have mean {[round(a, 3) for a in x[i, 1].mean(0).tolist()]} and standard "
                 f"deviation {[round(a, 3) for a in spread.tolist()]}; over all states and rounds they are not "
                 f"distributed as N(μ, σ²) refitted to the elites, by far more than chance")
    if len(named) == 1:
        raise Mistake(f"{named[0]} ({observed_})")
    raise Mistake(f"each round samples from N(μ, σ²) refitted to the previous round's n_elites best samples: their "
                  f"mean and standard deviation per dimension ({observed_})")


RETURNS = {  # the answer as a function of the last two rounds (samples, values): one or more variants
    None: lambda x, v: [_fit(x[:, -1], v[:, -1], E)[0]],
    RETURN_BEST: lambda x, v: [np.take_along_axis(x[:, -1], v[:, -1].argmax(1)[:, None, None], 1)[:, 0]],
    RETURN_STD: lambda x, v: [_fit(x[:, -1], v[:, -1], E, ddof=d)[1] for d in (0, 1)],
    RETURN_PREVIOUS: lambda x, v: [_fit(x[:, -2], v[:, -2], E)[0] if x.shape[1] > 1 else np.tile(CENTRE_, (B, 1))],
    RETURN_ALL: lambda x, v: [x[:, -1].mean(1)],
    RETURN_WORST: lambda x, v: [_fit(x[:, -1], v[:, -1], E, largest=False)[0]],
    RETURN_BATCH: lambda x, v: [_fit(x[:, -1], v[:, -1], E, across=True)[0]],
    RETURN_FEWER: lambda x, v: [_fit(x[:, -1], v[:, -1], E - 1, skip=1)[0]],
}


def _judgeable(x, v) -> np.ndarray:
    """States whose last-round elites are unambiguous: no two different samples tie at the n_elites-th value."""
    order = _order(v[:, -1])
    sorted_v = np.take_along_axis(v[:, -1], order, 1)
    sorted_x = np.take_along_axis(x[:, -1], order[..., None], 1)
    tie = (sorted_v[:, E - 1] == sorted_v[:, E]) & (sorted_x[:, E - 1] != sorted_x[:, E]).any(1)
    return ~tie


def judge_return(student):
    (answer, dtype), _, rounds = observed(student)
    if rounds is None:
        return
    x, v = rounds
    got = answer.to(torch.float64).numpy()
    keep = _judgeable(x, v)
    tol = 1e-9 if dtype == np.float64 else 2e-5

    def matches(model) -> bool:
        return any(np.allclose(got[keep], m[keep], rtol=tol, atol=tol) for m in model(x, v))
    if matches(RETURNS[None]):
        return
    named = [name for name, model in RETURNS.items() if name is not None and matches(model)]
    expected = RETURNS[None](x, v)[0]
    i = int(np.flatnonzero(keep & ~np.isclose(got, expected, rtol=tol, atol=tol).all(1))[0])
    observed_ = (f"{CALL}: for state {i} it returned {[round(a, 6) for a in got[i].tolist()]}; the mean of the {E} "
                 f"samples of the last round with the largest Q is {[round(a, 6) for a in expected[i].tolist()]}")
    if len(named) == 1:
        raise Mistake(f"{named[0]} ({observed_})")
    raise Mistake(f"return μ after the last refit: the mean of the last round's n_elites best samples ({observed_})")


def _cem(start=(None, None), uniform=False, drop_best=False, largest=True, refit="elites", returns="mean", rounds=0,
         clip=True):
    """cross_entropy_method with one step changed (the classic mistakes the judges name)."""
    def cem(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
        n_states, n_dims = obs.shape[0], len(low)
        mean = np.tile((low + high) / 2 if start[0] is None else start[0], (n_states, 1))
        std = np.tile((high - low) / 2 if start[1] is None else start[1], (n_states, 1))
        previous = mean
        for r in range(n_iters + rounds):
            if uniform == "always" or (uniform and r == 0):
                x = rng.uniform(low, high, (n_states, n_samples, n_dims))
            else:
                x = mean[:, None] + std[:, None] * rng.standard_normal((n_states, n_samples, n_dims))
                x = np.clip(x, low, high) if clip else x
            q = critic(obs.repeat_interleave(n_samples, 0), torch.as_tensor(x.reshape(-1, n_dims))).numpy()
            q = q.reshape(n_states, n_samples)
            previous = mean
            best = np.take_along_axis(x, q.argmax(1)[:, None, None], 1)[:, 0]
            if refit == "batch":
                top = np.argsort(-q.reshape(-1))[:n_elites]
                elites = x.reshape(-1, n_dims)[top]
                mean, std = np.tile(elites.mean(0), (n_states, 1)), np.tile(elites.std(0), (n_states, 1))
                continue
            top = np.argsort(-q if largest else q, axis=1)[:, int(drop_best):n_elites]
            elites = np.take_along_axis(x, top[..., None], 1)
            pool = x if refit == "all" else elites
            mean = pool.mean(1)
            if refit == "variance":
                std = elites.var(1)
            elif refit != "fixed":
                std = pool.std(1)
        answer = {"mean": mean, "std": std, "previous": previous, "best": best}[returns]
        return torch.as_tensor(answer, dtype=obs.dtype)
    return cem


MISTAKES = {
    NEVER: lambda critic, obs, low, high, n_samples, n_elites, n_iters, rng: torch.as_tensor(
        np.tile((low + high) / 2 + 0 * rng.standard_normal(), (obs.shape[0], 1)), dtype=obs.dtype),
    FEWER_ROUNDS: _cem(rounds=-1),
    MORE_ROUNDS: _cem(rounds=1),
    ROUNDS: _cem(rounds=6),
    CLIP: _cem(clip=False),
    START_WIDTH: _cem(start=(None, HIGH - LOW)),
    START_STANDARD: _cem(start=(0.0, 1.0)),
    START_UNIFORM: _cem(uniform="always"),
    REFIT_UNIFORM: _cem(uniform="always"),
    SIGMA_FIXED: _cem(refit="fixed"),
    VARIANCE: _cem(refit="variance"),
    REFIT_ALL: _cem(refit="all"),
    RETURN_ALL: _cem(refit="all"),
    REFIT_WORST: _cem(largest=False),
    RETURN_WORST: _cem(largest=False),
    REFIT_BATCH: _cem(refit="batch"),
    RETURN_BATCH: _cem(refit="batch"),
    REFIT_FEWER: _cem(drop_best=True),
    RETURN_FEWER: _cem(drop_best=True),
    RETURN_BEST: _cem(returns="best"),
    RETURN_STD: _cem(returns="std"),
    RETURN_PREVIOUS: _cem(returns="previous"),
}
MISTAKES[REFIT_UNIFORM] = MISTAKES[START_UNIFORM]
MISTAKES[RETURN_ALL] = MISTAKES[REFIT_ALL]
MISTAKES[RETURN_WORST] = MISTAKES[REFIT_WORST]
MISTAKES[RETURN_BATCH] = MISTAKES[REFIT_BATCH]
MISTAKES[RETURN_FEWER] = MISTAKES[REFIT_FEWER]
DIFFERENTIAL = RecordDifferential(reference, MISTAKES, [judge_rounds, judge_clipping, judge_start, judge_refits,
                                                        judge_return])


@pytest.mark.public
def test_runs_n_iters_rounds_of_n_samples(student):
    """the critic scores n_iters rounds of n_samples samples per state (observed: the critic records what it is asked)"""
    judge_rounds(student)


@pytest.mark.public
def test_clips_every_sample_before_scoring_it(student):
    """every sample the critic scores lies in the box (observed)"""
    judge_clipping(student)


@pytest.mark.public
def test_starts_from_the_box_centre_and_half_width(student):
    """round 1 samples N(centre, half-width²), clipped (false-fail probability ≤ 5e-7, see ``judge_start``)"""
    judge_start(student)


@pytest.mark.public
def test_refits_mu_and_sigma_to_the_elites(student):
    """each later round samples N(μ, σ²) with μ, σ the mean and standard deviation (ddof 0 or 1) of the previous
    round's n_elites best samples (false-fail probability ≤ 7e-7, see ``judge_refits``)"""
    judge_refits(student)


@pytest.mark.public
def test_returns_the_refitted_mean(student):
    """returns μ after the last refit: the mean of the last round's n_elites best samples (observed)"""
    judge_return(student)
