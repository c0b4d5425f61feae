"""Checks for bridge_crossing() -> (discount, noise): on BridgeGrid (living reward 0) the
optimal policy from the start must cross the bridge to the +10 exit.

The check is public: a student sees whether their parameters produce the behaviour asked
for, and what the optimal policy does with them.
"""

import pytest

from autograde.checks.analysis import as_parameters, describe, optimal_path
from autograde.checks.diagnosis import expect


@pytest.mark.public
def test_agent_crosses_the_bridge(student):
    """the optimal policy for your (discount, noise) crosses the bridge to the +10 exit"""
    discount, noise = as_parameters(student(), ("discount", "noise"), "bridge_crossing's answer")
    path, env = optimal_path("BridgeGrid", discount, noise)
    expect(env.layout.exits[path[-1]] == 10,
           f"with your parameters the optimal policy does not cross to the +10 exit (with discount {discount:g} and "
           f"noise {noise:g} it {describe(path, env)})")
