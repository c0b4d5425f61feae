"""One truth for both graders: the same answer earns the same points in the student's kernel
(the checks call the plain function) and out of it (they call it in the sandbox), for what a
check inspects after the call: parameters replaced by new objects, requires_grad, hooks left
on a network, buffers, entries rebound in a dict, and a data file read beside the notebook."""

import warnings

import numpy as np
import pytest
import torch

from autograde.checks.torch_rules import network_pair
from autograde.offline import grade_notebook
from autograde.registry import RULES
from autograde.runner import run_checks
from autograde.sandbox.process import Sandbox, folder_files

SETUP = "import numpy as np\nimport torch\nfrom torch import nn\n"

COPY = '''
    with torch.no_grad():
        for t, o in zip(target.state_dict().values(), online.state_dict().values()):
            t.copy_(o)
'''
LERP = '''
    with torch.no_grad():
        for t, o in zip(target.state_dict().values(), online.state_dict().values()):
            t.lerp_(o, tau) if t.is_floating_point() else t.copy_(o)
'''
ANSWERS = {  # (rule, name in the cells, source of its body, points expected or None for less than full, diagnosis)
    "hard_update honest": ("hard_update", "def f(target, online):" + COPY, "full", ""),
    "hard_update new Parameters without grad": ("hard_update", '''
def f(target, online):
    for name, o in online.named_parameters():
        owner, _, attribute = name.rpartition(".")
        setattr(target.get_submodule(owner), attribute, nn.Parameter(o.detach().clone(), requires_grad=False))
    with torch.no_grad():
        for t, o in zip(target.buffers(), online.buffers()):
            t.copy_(o)
''', "full", ""),
    "hard_update buffers rebound to copies": ("hard_update", '''
def f(target, online):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            t.copy_(o)
    for t, o in zip(target.modules(), online.modules()):
        for name, buffer in o.named_buffers(recurse=False):
            setattr(t, name, buffer.clone())
''', "full", ""),
    "hard_update new Parameters": ("hard_update", '''
def f(target, online):
    for name, o in online.named_parameters():
        owner, _, attribute = name.rpartition(".")
        setattr(target.get_submodule(owner), attribute, nn.Parameter(o.detach().clone()))
    with torch.no_grad():
        for t, o in zip(target.buffers(), online.buffers()):
            t.copy_(o)
''', 0.0, "require grad"),
    "hard_update requires_grad_(True)": ("hard_update", "def f(target, online):" + COPY + "    target.requires_grad_(True)\n",
                                         0.0, "require grad"),
    "hard_update buffers that require grad": ("hard_update", "def f(target, online):" + COPY + '''
    for buffer in target.buffers():
        if buffer.is_floating_point():
            buffer.requires_grad_(True)
''', 0.75, "layers.1.running_mean, layers.1.running_var require grad"),
    "hard_update re-copying in a hook": ("hard_update", "def f(target, online):" + COPY + '''
    target.register_forward_pre_hook(lambda module, inputs: module.load_state_dict(online.state_dict()))
''', 0.0, "forward pre hook on the network"),
    "polyak_update honest": ("polyak_update", "def f(target, online, tau):" + LERP, "full", ""),
    "polyak_update new Parameters": ("polyak_update", "def f(target, online, tau):" + LERP + '''
    for module in target.modules():
        for name, p in list(module._parameters.items()):
            module._parameters[name] = nn.Parameter(p.detach().clone())
''', None, "require grad"),
    "polyak_update requires_grad_(True)": ("polyak_update", "def f(target, online, tau):" + LERP +
                                           "    target.requires_grad_(True)\n", None, "require grad"),
    "polyak_update backward hook": ("polyak_update", "def f(target, online, tau):" + LERP +
                                    "    target.layers[0].register_full_backward_hook(lambda *args: None)\n",
                                    None, "backward hook on layers.0"),
    "ring_add honest": ("ring_add", '''
def f(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    for key, value in zip(("obs", "actions", "rewards", "next_obs", "terminated"),
                          (obs, action, reward, next_obs, terminated)):
        storage[key][index] = value
    return (index + 1) % len(storage["obs"]), min(size + 1, len(storage["obs"]))
''', "full", ""),
    # The contract: the caller's storage holds the transition afterwards, and it reads the arrays
    # through the dict (the notebook's ReplayBuffer does): rebinding an entry to a written copy
    # honours it, slowly. Both graders give it full marks.
    "ring_add rebinding entries to copies": ("ring_add", '''
def f(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    for key, value in zip(("obs", "actions", "rewards", "next_obs", "terminated"),
                          (obs, action, reward, next_obs, terminated)):
        array = storage[key].copy()
        array[index] = value
        storage[key] = array
    return (index + 1) % len(storage["obs"]), min(size + 1, len(storage["obs"]))
''', "full", ""),
}
NAMES = {case: f"answer_{i}" for i, case in enumerate(ANSWERS)}
CELLS = [SETUP] + [source.replace("def f(", f"def {NAMES[case]}(", 1) for case, (_, source, _, _) in ANSWERS.items()]


@pytest.fixture(scope="module")
def box():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # where bubblewrap is missing
        with Sandbox(CELLS, call_timeout=20) as sandbox:
            yield sandbox


@pytest.fixture(scope="module")
def kernel():
    namespace = {}
    for cell in CELLS:
        exec(cell, namespace)
    return namespace


@pytest.mark.parametrize("case", ANSWERS)
def test_both_graders_give_the_same_points(case, box, kernel):
    rule_name, _, expected, diagnosis = ANSWERS[case]
    rule = RULES[rule_name]
    inside = run_checks(rule, kernel[NAMES[case]])
    outside = run_checks(rule, box.function(NAMES[case]))
    assert outside.points == inside.points, f"in kernel:\n{inside.report()}\nout of kernel:\n{outside.report()}"
    assert [c.passed for c in outside.checks] == [c.passed for c in inside.checks]
    if expected == "full":
        assert outside.points == rule.points, outside.report()
    else:
        assert outside.points < rule.points if expected is None else outside.points == expected, outside.report()
        assert diagnosis in inside.diagnosis and diagnosis in outside.diagnosis, outside.report()


def test_replaced_parameters_come_back_as_new_objects_and_assigned_ones_as_the_callers_own():
    cells = [SETUP, '''
def replace(target, online):
    target.layers[0].weight = nn.Parameter(online.layers[0].weight.detach().clone())
    target.layers[1].running_mean = online.layers[1].running_mean + 1
    target.layers[2].register_forward_hook(lambda *args: None)
def assign(target, online):
    target.layers[0].weight = online.layers[0].weight
def rebind(storage):
    storage["a"], storage["b"] = storage["b"], np.ones(2)
    return storage
''']
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Sandbox(cells, call_timeout=20) as sandbox:
            target, online = network_pair(0, norm=True)
            weight, mean = target.layers[0].weight, target.layers[1].running_mean
            sandbox.function("replace")(target, online)
            assert target.layers[0].weight is not weight and target.layers[0].weight.requires_grad
            assert torch.equal(target.layers[0].weight, online.layers[0].weight)
            assert target.layers[1].running_mean is not mean
            assert torch.equal(target.layers[1].running_mean, online.layers[1].running_mean + 1)
            assert len(target.layers[2]._forward_hooks) == 1 and not target.layers[0]._forward_hooks
            target, online = network_pair(1)
            sandbox.function("assign")(target, online)
            assert target.layers[0].weight is online.layers[0].weight
            a, b = np.zeros(2), np.arange(2.0)
            storage = {"a": a, "b": b}
            assert sandbox.function("rebind")(storage) is storage
            assert storage["a"] is b and np.array_equal(storage["b"], np.ones(2)) and storage["b"] is not a


def test_a_data_file_beside_the_notebook_is_read_the_same_way_by_both_graders(tmp_path, monkeypatch):
    from submissions import make

    reads = '''
with open("bridge.txt") as f:
    DISCOUNT, NOISE = (float(x) for x in f.read().split())

def bridge_crossing():
    return DISCOUNT, NOISE
'''
    notebook = make(tmp_path / "alice" / "01_value_iteration.ipynb", "answers",
                    answers={"bridge_crossing_answer": reads})
    (tmp_path / "alice" / "bridge.txt").write_text("0.9 0.0\n")
    (tmp_path / "bob.txt").write_text("another student's file")
    assert folder_files(notebook.parent) == ["bridge.txt"]   # not the notebook, nor what lies beside its folder
    outside = {r.rule: r for r in grade_notebook(notebook, call_timeout=20)}["bridge_crossing"]
    monkeypatch.chdir(notebook.parent)  # where nbgrader runs the notebook's kernel
    namespace = {}
    exec(reads, namespace)
    inside = run_checks(RULES["bridge_crossing"], namespace["bridge_crossing"])
    assert outside.points == inside.points == RULES["bridge_crossing"].points, outside.report()
