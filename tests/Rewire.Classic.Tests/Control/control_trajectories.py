"""Writes control_trajectories.json: trajectories of the classic-control dynamics, computed here independently
from the equations of Gymnasium's classic_control environments (plain Python floats = IEEE double; float32 rounding
where Gymnasium stores float32). Run: /usr/bin/python3 control_trajectories.py > control_trajectories.json"""
import json, math, struct

def f32(x):
    return struct.unpack('f', struct.pack('f', x))[0]

def cartpole(state, actions):
    g, mc, mp, l, fm, tau = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
    tm, pml = mp + mc, mp * l
    thr, xthr = 12 * 2 * math.pi / 360, 2.4
    x, xd, th, thd = state
    out = []
    for a in actions:
        force = fm if a == 1 else -fm
        c, s = math.cos(th), math.sin(th)
        temp = (force + pml * thd ** 2 * s) / tm
        thacc = (g * s - c * temp) / (l * (4.0 / 3.0 - mp * c ** 2 / tm))
        xacc = temp - pml * thacc * c / tm
        x = x + tau * xd; xd = xd + tau * xacc; th = th + tau * thd; thd = thd + tau * thacc
        term = x < -xthr or x > xthr or th < -thr or th > thr
        out.append({"state": [x, xd, th, thd], "reward": 1.0, "terminated": term})
        if term: break
    return out

def mountaincar(state, actions):
    p, v = state
    out = []
    for a in actions:
        v += (a - 1) * 0.001 + math.cos(3 * p) * (-0.0025)
        v = min(max(v, -0.07), 0.07)
        p += v
        p = min(max(p, -1.2), 0.6)
        if p == -1.2 and v < 0: v = 0.0
        term = p >= 0.5 and v >= 0
        out.append({"state": [p, v], "reward": -1.0, "terminated": term})
        if term: break
    return out

def mountaincar_continuous(state, actions):
    p, v = state
    out = []
    for a in actions:
        force = min(max(a, -1.0), 1.0)
        v += force * 0.0015 - 0.0025 * math.cos(3 * p)
        v = min(max(v, -0.07), 0.07)
        p += v
        p = min(max(p, -1.2), 0.6)
        if p == -1.2 and v < 0: v = 0.0
        term = p >= 0.45 and v >= 0
        r = (100.0 if term else 0.0) - a ** 2 * 0.1
        p, v = f32(p), f32(v)
        out.append({"state": [p, v], "reward": r, "terminated": term})
        if term: break
    return out

def pendulum(state, actions):
    th, thd = state
    out = []
    for a in actions:
        u = min(max(a, -2.0), 2.0)
        norm = ((th + math.pi) % (2 * math.pi)) - math.pi
        cost = norm ** 2 + 0.1 * thd ** 2 + 0.001 * u ** 2
        nthd = thd + (3 * 10.0 / 2 * math.sin(th) + 3.0 * u) * 0.05
        nthd = min(max(nthd, -8.0), 8.0)
        th = th + nthd * 0.05
        thd = nthd
        out.append({"state": [th, thd], "reward": -cost, "terminated": False})
    return out

def acrobot(state, actions):
    m1 = m2 = l1 = 1.0; lc1 = lc2 = 0.5; I1 = I2 = 1.0; g = 9.8
    def dsdt(s, a):
        t1, t2, d1_, d2_ = s
        d1 = m1 * lc1 ** 2 + m2 * (l1 ** 2 + lc2 ** 2 + 2 * l1 * lc2 * math.cos(t2)) + I1 + I2
        d2 = m2 * (lc2 ** 2 + l1 * lc2 * math.cos(t2)) + I2
        phi2 = m2 * lc2 * g * math.cos(t1 + t2 - math.pi / 2.0)
        phi1 = (-m2 * l1 * lc2 * d2_ ** 2 * math.sin(t2) - 2 * m2 * l1 * lc2 * d2_ * d1_ * math.sin(t2)
                + (m1 * lc1 + m2 * l1) * g * math.cos(t1 - math.pi / 2) + phi2)
        dd2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * d1_ ** 2 * math.sin(t2) - phi2) / (m2 * lc2 ** 2 + I2 - d2 ** 2 / d1)
        dd1 = -(d2 * dd2 + phi1) / d1
        return [d1_, d2_, dd1, dd2]
    def wrap(x, lo, hi):
        while x > hi: x -= hi - lo
        while x < lo: x += hi - lo
        return x
    s = list(state)
    out = []
    dt = 0.2
    for a in actions:
        torque = [-1.0, 0.0, 1.0][a]
        k1 = dsdt(s, torque)
        k2 = dsdt([s[i] + dt / 2 * k1[i] for i in range(4)], torque)
        k3 = dsdt([s[i] + dt / 2 * k2[i] for i in range(4)], torque)
        k4 = dsdt([s[i] + dt * k3[i] for i in range(4)], torque)
        s = [s[i] + dt / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]) for i in range(4)]
        s[0] = wrap(s[0], -math.pi, math.pi); s[1] = wrap(s[1], -math.pi, math.pi)
        s[2] = min(max(s[2], -4 * math.pi), 4 * math.pi); s[3] = min(max(s[3], -9 * math.pi), 9 * math.pi)
        term = -math.cos(s[0]) - math.cos(s[1] + s[0]) > 1.0
        out.append({"state": list(s), "reward": 0.0 if term else -1.0, "terminated": term})
        if term: break
    return out

cases = []
def case(name, init, actions, steps):
    cases.append({"env": name, "initial": init, "actions": actions, "steps": steps})

a = [1 if (i * 7) % 3 == 0 else 0 for i in range(200)]
case("cartpole", [0.01, -0.02, 0.03, 0.04], a, cartpole([0.01, -0.02, 0.03, 0.04], a))
a = [2] * 40 + [0] * 40 + [2] * 120
case("mountaincar", [-0.5, 0.0], a, mountaincar([-0.5, 0.0], a))
a = [f32(1.3 * math.sin(0.3 * i)) for i in range(300)]
case("mountaincar-continuous", [-0.5, 0.0], a, mountaincar_continuous([-0.5, 0.0], a))
a = [f32(2.5 * math.cos(0.7 * i)) for i in range(60)]
case("pendulum", [2.5, -0.3], a, pendulum([2.5, -0.3], a))
a = [(i // 4) % 3 for i in range(120)]
case("acrobot", [0.05, -0.03, 0.02, 0.01], a, acrobot([0.05, -0.03, 0.02, 0.01], a))
a = [0] * 60 + [2] * 140
case("mountaincar", [-0.9, -0.05], a, mountaincar([-0.9, -0.05], a))
a = [2.0] * 40
case("pendulum", [3.0, 7.9], a, pendulum([3.0, 7.9], a))
a = [2] * 200
case("acrobot", [0.0, 3.0, 12.0, -27.0], a, acrobot([0.0, 3.0, 12.0, -27.0], a))
print(json.dumps(cases, indent=1))
