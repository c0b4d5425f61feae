"""Checks for bridge_crossing() -> (discount, noise): on BridgeGrid (living reward 0) the
optimal policy from the start must cross the bridge to the +10 exit.

The check is public: a student sees whether their parameters produce the behaviour asked
for, what the optimal policy does with them instead, and which of the two keeps it from
crossing (each reason is a fact: the policy is recomputed with that parameter changed).
"""

import pytest

from autograde.checks.analysis import as_parameters, describe, optimal_path
from autograde.checks.diagnosis import Mistake


def crosses(discount: float, noise: float) -> bool:
    path, env = optimal_path("BridgeGrid", discount, noise)
    return env.layout.exits[path[-1]] == 10


@pytest.mark.public
def test_agent_crosses_the_bridge(student):
    """the optimal policy for your (discount, noise) crosses the bridge to the +10 exit"""
    discount, noise = as_parameters(student(), ("discount", "noise"), "bridge_crossing's answer")
    path, env = optimal_path("BridgeGrid", discount, noise)
    if env.layout.exits[path[-1]] == 10:
        return
    observed = (f"with your parameters the optimal policy does not cross to the +10 exit: with discount {discount:g} "
                f"and noise {noise:g} it {describe(path, env)}")
    if 0.0 <= noise < 1.0 and discount <= 1.0 and crosses(noise, discount):
        raise Mistake(f"the pair looks reversed: bridge_crossing returns (discount, noise), and your numbers the other "
                      f"way round, discount {noise:g} and noise {discount:g}, cross the bridge ({observed})")
    if noise > 0 and crosses(discount, 0.0):
        raise Mistake(f"the noise makes the bridge too risky: with noise {noise:g} a step on the bridge may slip "
                      "into a −100 cell, so the optimal policy does not cross; with your discount and no noise it "
                      f"would ({observed})")
    if not crosses(discount, 0.0) and crosses(0.9, 0.0):
        raise Mistake(f"the discount is too small: with discount {discount:g} the +10 exit, at the far end of the "
                      "bridge, is worth less now than the +1 exit beside the start, even without noise "
                      f"({observed})")
    raise Mistake(observed)
