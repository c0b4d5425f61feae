"""A plausible half-right submission of 06_atari_dqn, for tests/test_cycles.py: right stacks,
but no wrap-around at the ring's end."""

HALF_RIGHT = {
    "frame_stacks_answer": '''
def frame_stacks(frames, age, slots, stack):
    obs, next_obs = [], []
    for j in slots:
        for end, out in ((j, obs), (j + 1, next_obs)):
            first = end - int(age[end])
            out.append(np.stack([frames[max(end - k, first)] for k in range(stack - 1, -1, -1)]))
    return np.stack(obs), np.stack(next_obs)
''',
}
HALF_RIGHT_POINTS = {"frame_stacks": 0.8}
CLAIMS = {
    "preprocessing-pictures": "observation: shape (4, 84, 84), dtype uint8",
    "memory": "the shared replay needs 1.002 frames per transition",
    "minatar-screen": "observation: shape (4, 10, 10), dtype uint8; a random policy scores",
    "minatar-train": "2 seeds × 1,500 steps",
    "pong-train": "CPU check done: your rules and stacks run end to end",
}
