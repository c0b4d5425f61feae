"""Answers to ddpg_critic_target(rewards, next_obs, terminated, gamma, actor_target, critic_target) -> y (B,)."""
import torch


def w_no_no_grad(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    q = critic_target(next_obs, actor_target(next_obs))
    return rewards + gamma * (1 - terminated.float()) * q


def w_ignores_terminated(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    with torch.no_grad():
        return rewards + gamma * critic_target(next_obs, actor_target(next_obs))


def w_bool_minus(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    with torch.no_grad():
        return rewards + gamma * (1 - terminated) * critic_target(next_obs, actor_target(next_obs))


def w_column_broadcast(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    with torch.no_grad():
        q = critic_target(next_obs, actor_target(next_obs)).unsqueeze(1)
        return rewards + gamma * (1 - terminated.float()) * q


def w_discounts_reward(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    with torch.no_grad():
        return gamma * (rewards + (1 - terminated.float()) * critic_target(next_obs, actor_target(next_obs)))


def w_detaches_action_only(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    a = actor_target(next_obs).detach()
    return rewards + gamma * (1 - terminated.float()) * critic_target(next_obs, a)


def w_masks_reward(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    with torch.no_grad():
        live = (~terminated.bool()).float()
        return live * (rewards + gamma * critic_target(next_obs, actor_target(next_obs)))


def w_random_action(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    with torch.no_grad():
        a = actor_target(next_obs)
        a = torch.rand_like(a) * 2 - 1
        return rewards + gamma * (1 - terminated.float()) * critic_target(next_obs, a)


def c_where(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    with torch.no_grad():
        q = critic_target(next_obs, actor_target(next_obs))
        return rewards + gamma * torch.where(terminated.bool(), torch.zeros_like(q), q)


def c_inference_mode_float64(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    with torch.inference_mode():
        q = critic_target(next_obs, actor_target(next_obs)).double()
        g = gamma.double() if torch.is_tensor(gamma) else float(gamma)
        y = rewards.double() + g * (~terminated.bool()).double() * q
    return y.to(rewards.dtype).clone()


def c_detach_after(rewards, next_obs, terminated, gamma, actor_target, critic_target):
    live = 1.0 - terminated.to(rewards.dtype)
    y = rewards + gamma * live * critic_target(next_obs, actor_target(next_obs)).reshape(-1)
    return y.detach()


WRONG = {
    w_no_no_grad: "no no_grad: y carries the target networks' gradient",
    w_ignores_terminated: "bootstraps on terminated transitions",
    w_bool_minus: "1 - terminated with a bool tensor (raises in torch)",
    w_column_broadcast: "Q' unsqueezed to (B, 1): y broadcasts to (B, B)",
    w_discounts_reward: "gamma multiplies the reward too",
    w_detaches_action_only: "detaches the action only: gradient still reaches the target critic",
    w_masks_reward: "(1 - terminated) masks the reward too: y = 0 at terminal",
    w_random_action: "evaluates Q' at a random action instead of μ'(s')",
}
CORRECT = [c_where, c_inference_mode_float64, c_detach_after]
