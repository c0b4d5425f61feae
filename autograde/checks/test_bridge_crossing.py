"""Checks for bridge_crossing() -> (discount, noise): on BridgeGrid (living reward 0) the
optimal policy from the start must cross the bridge to the +10 exit."""

import pytest

from autograde.checks.analysis import as_parameters, describe, optimal_path
from autograde.checks.helpers import expect


@pytest.mark.public
@pytest.mark.weight(0)
def test_answer_is_discount_and_noise(student):
    """returns (discount, noise) with discount in [0, 1) and noise in [0, 1]"""
    as_parameters(student(), ("discount", "noise"))


def test_agent_crosses_the_bridge(student):
    """the optimal policy for these parameters crosses to the +10 exit"""
    discount, noise = as_parameters(student(), ("discount", "noise"))
    path, env = optimal_path("BridgeGrid", discount, noise)
    expect(env.layout.exits[path[-1]] == 10,
           f"with discount {discount} and noise {noise} the optimal policy {describe(path, env)}, "
           "not the +10 across the bridge: which parameter makes a step onto the bridge risky?")
