"""Answers to bridge_crossing() -> (discount, noise), written blind."""


def w_default(): return 0.9, 0.2
def w_higher_discount(): return 0.99, 0.2
def w_more_noise(): return 0.9, 0.5
def w_swapped_order(): return 0.0, 0.9
def w_low_discount_no_noise(): return 0.5, 0.0
def w_noise_as_percent(): return 0.9, 1.0   # "1%" written as 1
def c_no_noise(): return 0.9, 0.0
def c_tiny_noise(): return 0.9, 0.01
def c_numpy_floats():
    import numpy as np
    return np.float32(0.9), np.float64(0.005)


WRONG = {
    w_default: "the default parameters, which do not cross",
    w_higher_discount: "raises the discount; noise still makes the bridge too risky",
    w_more_noise: "increases the noise instead of reducing it",
    w_swapped_order: "returns (noise, discount) in the wrong order",
    w_low_discount_no_noise: "changes both; with discount 0.5 the +10 is not worth the walk",
    w_noise_as_percent: "noise given as a percentage (1 for 1%) instead of a probability",
}
CORRECT = [c_no_noise, c_tiny_noise, c_numpy_floats]
