#!/usr/bin/env python3
"""Plain-PyTorch PPO on CartPole-v1 doing the same work as `rewire bench control --env cartpole --algo ppo`.

Same environment equations (Gymnasium's CartPole-v1, 500-step limit, written out here because the gymnasium package
is not installable on the benchmark machine), same vectorisation (8 environments stepped in turn, same-step autoreset,
bootstrap on truncation), same network (separate 64-64 tanh policy and value MLPs, orthogonal initialisation), same
rl-baselines3-zoo hyper-parameters (n_steps 32, batch 256, 20 epochs, gamma 0.98, lambda 0.8, linear lr 1e-3 and
clip 0.2, Adam eps 1e-5, gradient norm 0.5). Prints one JSON line with env_steps, seconds and steps_per_second.

    /usr/bin/python3 bench/python/ppo_cartpole.py --steps 100000 --threads 1
"""
import argparse, json, math, random, time
import numpy as np
import torch
import torch.nn as nn


class CartPole:
    def __init__(self, rng):
        self.rng = rng
        self.state = None
        self.t = 0

    def reset(self):
        self.state = [self.rng.uniform(-0.05, 0.05) for _ in range(4)]
        self.t = 0
        return list(self.state)

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state
        force = 10.0 if action == 1 else -10.0
        c, s = math.cos(theta), math.sin(theta)
        temp = (force + 0.05 * theta_dot ** 2 * s) / 1.1
        thetaacc = (9.8 * s - c * temp) / (0.5 * (4.0 / 3.0 - 0.1 * c ** 2 / 1.1))
        xacc = temp - 0.05 * thetaacc * c / 1.1
        x += 0.02 * x_dot; x_dot += 0.02 * xacc; theta += 0.02 * theta_dot; theta_dot += 0.02 * thetaacc
        self.state = [x, x_dot, theta, theta_dot]
        self.t += 1
        terminated = x < -2.4 or x > 2.4 or theta < -12 * 2 * math.pi / 360 or theta > 12 * 2 * math.pi / 360
        truncated = self.t >= 500
        return list(self.state), 1.0, terminated, truncated


def mlp(inp, out, gain):
    net = nn.Sequential(nn.Linear(inp, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, out))
    for m, g in zip([net[0], net[2], net[4]], [math.sqrt(2), math.sqrt(2), gain]):
        nn.init.orthogonal_(m.weight, g)
        nn.init.zeros_(m.bias)
    return net


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    n_envs, n_steps, batch, epochs, gamma, lam, lr0, clip0 = 8, 32, 256, 20, 0.98, 0.8, 1e-3, 0.2
    envs = [CartPole(random.Random(a.seed + i)) for i in range(n_envs)]
    obs = np.array([e.reset() for e in envs], dtype=np.float32)
    starts = np.ones(n_envs, dtype=np.float32)
    pi, vf = mlp(4, 2, 0.01), mlp(4, 1, 1.0)
    params = list(pi.parameters()) + list(vf.parameters())
    opt = torch.optim.Adam(params, lr=lr0, eps=1e-5)
    ep_ret = np.zeros(n_envs); returns = []
    steps = 0
    t0 = time.perf_counter()
    while steps < a.steps:
        b_obs = np.zeros((n_steps, n_envs, 4), np.float32); b_act = np.zeros((n_steps, n_envs), np.int64)
        b_logp = np.zeros((n_steps, n_envs), np.float32); b_val = np.zeros((n_steps, n_envs), np.float32)
        b_rew = np.zeros((n_steps, n_envs), np.float32); b_start = np.zeros((n_steps, n_envs), np.float32)
        for t in range(n_steps):
            with torch.no_grad():
                o = torch.from_numpy(obs)
                logits = pi(o); v = vf(o).squeeze(-1)
                dist = torch.distributions.Categorical(logits=logits)
                act = dist.sample(); logp = dist.log_prob(act)
            b_obs[t] = obs; b_act[t] = act.numpy(); b_logp[t] = logp.numpy(); b_val[t] = v.numpy(); b_start[t] = starts
            new_obs = np.zeros_like(obs)
            for i, e in enumerate(envs):
                s, r, term, trunc = e.step(int(b_act[t, i]))
                ep_ret[i] += r
                if trunc and not term:
                    with torch.no_grad():
                        r += gamma * vf(torch.tensor([s], dtype=torch.float32)).item()
                b_rew[t, i] = r
                if term or trunc:
                    returns.append(ep_ret[i]); ep_ret[i] = 0
                    s = e.reset()
                starts[i] = 1.0 if (term or trunc) else 0.0
                new_obs[i] = s
            obs = new_obs
            steps += n_envs
        with torch.no_grad():
            last_v = vf(torch.from_numpy(obs)).squeeze(-1).numpy()
        adv = np.zeros_like(b_rew); last = np.zeros(n_envs)
        for t in reversed(range(n_steps)):
            nnt = 1.0 - (starts if t == n_steps - 1 else b_start[t + 1])
            nv = last_v if t == n_steps - 1 else b_val[t + 1]
            delta = b_rew[t] + gamma * nv * nnt - b_val[t]
            last = delta + gamma * lam * nnt * last
            adv[t] = last
        ret = adv + b_val
        progress = max(0.0, 1.0 - steps / a.steps)
        for g in opt.param_groups: g["lr"] = lr0 * progress
        clip = clip0 * progress
        f_obs = torch.from_numpy(b_obs.reshape(-1, 4)); f_act = torch.from_numpy(b_act.reshape(-1))
        f_logp = torch.from_numpy(b_logp.reshape(-1)); f_adv = torch.from_numpy(adv.reshape(-1)); f_ret = torch.from_numpy(ret.reshape(-1))
        n = f_obs.shape[0]
        for _ in range(epochs):
            perm = torch.randperm(n)
            for s0 in range(0, n, batch):
                idx = perm[s0:s0 + batch]
                logits = pi(f_obs[idx]); v = vf(f_obs[idx]).squeeze(-1)
                dist = torch.distributions.Categorical(logits=logits)
                logp = dist.log_prob(f_act[idx]); ent = dist.entropy().mean()
                mb_adv = f_adv[idx]; mb_adv = (mb_adv - mb_adv.mean()) / (mb_adv.std() + 1e-8)
                ratio = (logp - f_logp[idx]).exp()
                pg = -torch.min(mb_adv * ratio, mb_adv * ratio.clamp(1 - clip, 1 + clip)).mean()
                loss = pg + 0.5 * ((v - f_ret[idx]) ** 2).mean() - 0.0 * ent
                opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(params, 0.5); opt.step()
    seconds = time.perf_counter() - t0
    last100 = returns[-100:]
    print(json.dumps({"env": "cartpole", "algo": "ppo-pytorch", "env_steps": steps, "seconds": seconds, "steps_per_second": steps / seconds,
                      "threads": a.threads, "mean_return_last_100": sum(last100) / len(last100) if last100 else None}))


if __name__ == "__main__":
    main()
