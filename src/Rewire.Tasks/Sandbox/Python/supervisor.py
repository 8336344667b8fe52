# The sandbox supervisor: started by PythonSandbox as root, reads one JSON line (the run's spec) on stdin, runs one test
# and writes one JSON line (the result) on stdout. See PythonSandbox.cs for the guarantees; the steps:
#   outer (host PID namespace): closes every inherited fd above 2, takes a free uid slot (a lock file), prepares the
#     slot's cgroup, joins a fresh session keyring, unshares mount, IPC, network and UTS namespaces, forks the init of a
#     new PID namespace, then watches: stdin (EOF = the host died: kill everything), the harness's verdict, the
#     program's output, the wall clock. When done it kills the init (the kernel then kills every process in the
#     namespace), waits for it, removes the cgroup and reports.
#   init (PID 1): dies with the outer supervisor (parent-death signal), builds a minimal root on a private tmpfs, mounts
#     /proc, chroots, starts the harness and the program's process, reaps every process and reports the program's exit.
import ctypes
import errno
import fcntl
import json
import os
import platform
import random
import resource
import select
import signal
import struct
import sys
import time

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWPID = 0x20000, 0x4000000, 0x8000000, 0x40000000, 0x20000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
KEYCTL_JOIN_SESSION_KEYRING, KEYCTL_CLEAR = 1, 7
KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING = -4, -5
SYS_KEYCTL = {'x86_64': 250, 'aarch64': 219}
READ_ONLY = ['/usr', '/etc', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']
DEVICES = ['null', 'zero', 'full', 'random', 'urandom']
ROOT = '/mnt'
LIBC = ctypes.CDLL(None, use_errno=True)


def fail(what):
    e = ctypes.get_errno()
    raise OSError(e, '%s: %s' % (what, os.strerror(e)))


def keyctl(*args):
    nr = SYS_KEYCTL.get(platform.machine())
    if nr is None:
        raise OSError(errno.ENOSYS, 'keyctl: unknown syscall number on ' + platform.machine())
    if LIBC.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args]) < 0:
        fail('keyctl')


def mount(src, target, fstype, flags, data=None):
    if LIBC.mount(src and src.encode(), target.encode(), fstype and fstype.encode(), ctypes.c_ulong(flags),
                  data and data.encode()) != 0:
        fail('mount ' + target)


def close_fds_above_2():
    for name in os.listdir('/proc/self/fd'):
        if int(name) > 2:
            try:
                os.close(int(name))
            except OSError:
                pass


# ---------------------------------------------------------------- uid slots and cgroups (outer)

def take_slot(spec):
    folder = '/run/rewire-sandbox' if os.path.isdir('/run') else '/tmp/.rewire-sandbox-slots'
    os.makedirs(folder, mode=0o700, exist_ok=True)
    n = spec['uid_slots']
    start = random.randrange(n)
    for k in list(range(n)) + [None]:
        slot = (start + k) % n if k is not None else start
        fd = os.open('%s/slot-%d' % (folder, slot), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (fcntl.LOCK_NB if k is not None else 0))
            return slot, fd
        except BlockingIOError:
            os.close(fd)
    raise OSError('no uid slot')


def write(path, text):
    with open(path, 'w') as f:
        f.write(text)


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ''


class Cgroup:
    """The slot's cgroup: a pids and a memory limit over every process of the program (v2 when its controllers are
    delegated here, otherwise the v1 pids and memory hierarchies). `kind` is None when neither is writable."""

    def __init__(self, slot, spec):
        self.dirs, self.kind = {}, None
        name = 'rewire-sandbox-%d' % slot
        mounts = [line.split() for line in read('/proc/self/mountinfo').splitlines()]
        own = {}
        for line in read('/proc/self/cgroup').splitlines():
            p = line.split(':', 2)
            if len(p) == 3:
                for ctl in p[1].split(','):
                    own[ctl] = p[2]
        for m in mounts:
            sep = m.index('-')
            fstype, opts = m[sep + 1], m[sep + 3].split(',') + m[5].split(',')
            root, point = m[3], m[4]
            if fstype == 'cgroup2' and self.kind is None and '' in own:
                d = self._child(point, root, own[''], name)
                if d and self._v2(d, spec):
                    self.dirs, self.kind = {'v2': d}, 'cgroup v2'
                    return
            if fstype == 'cgroup':
                for ctl in ('pids', 'memory'):
                    if ctl in opts and ctl in own and ctl not in self.dirs:
                        d = self._child(point, root, own[ctl], name)
                        if d:
                            self.dirs[ctl] = d
        if 'pids' in self.dirs and 'memory' in self.dirs:
            try:
                write(self.dirs['pids'] + '/pids.max', str(spec['max_processes']))
                write(self.dirs['memory'] + '/memory.limit_in_bytes', str(spec['sandbox_memory_bytes']))
                try:
                    write(self.dirs['memory'] + '/memory.memsw.limit_in_bytes', str(spec['sandbox_memory_bytes']))
                except OSError:
                    pass
                self.kind = 'cgroup v1'
                return
            except OSError:
                pass
        self.remove()
        self.dirs = {}

    @staticmethod
    def _child(point, root, path, name):
        if not (path + '/').startswith(root.rstrip('/') + '/'):
            return None
        d = os.path.join(point, path[len(root.rstrip('/')):].lstrip('/'), name)
        try:
            os.rmdir(d)
        except OSError:
            pass
        try:
            os.makedirs(d, exist_ok=True)
            return d
        except OSError:
            return None

    @staticmethod
    def _v2(d, spec):
        parent = os.path.dirname(d)
        if not {'pids', 'memory'} <= set(read(d + '/cgroup.controllers').split()):
            try:
                write(parent + '/cgroup.subtree_control', '+pids +memory')
            except OSError:
                pass
        try:
            write(d + '/pids.max', str(spec['max_processes']))
            write(d + '/memory.max', str(spec['sandbox_memory_bytes']))
            for f, v in (('/memory.swap.max', '0'), ('/memory.oom.group', '1')):
                try:
                    write(d + f, v)
                except OSError:
                    pass
            return True
        except OSError:
            try:
                os.rmdir(d)
            except OSError:
                pass
            return False

    def procs_files(self):
        return [d + '/cgroup.procs' for d in self.dirs.values()]

    def oom_kills(self):
        for d in self.dirs.values():
            for f in ('/memory.events', '/memory.oom_control'):
                for line in read(d + f).splitlines():
                    if line.startswith('oom_kill '):
                        return int(line.split()[1])
        return 0

    def remove(self):
        for d in self.dirs.values():
            for _ in range(100):
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)


# ---------------------------------------------------------------- init (PID 1 of the new namespace)

def build_root(spec, slot_uids):
    s_uid, h_uid = slot_uids
    mount(None, '/', None, MS_REC | MS_PRIVATE)
    mount('tmpfs', ROOT, 'tmpfs', MS_NOSUID | MS_NODEV, 'size=%d,mode=0755' % spec['work_dir_bytes'])
    for p in READ_ONLY:
        if os.path.islink(p):
            os.symlink(os.readlink(p), ROOT + p)
        elif os.path.isdir(p):
            os.mkdir(ROOT + p)
            mount(p, ROOT + p, None, MS_BIND | MS_REC)
            mount(None, ROOT + p, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.mkdir(ROOT + '/dev', 0o755)
    for d in DEVICES:
        open(ROOT + '/dev/' + d, 'w').close()
        mount('/dev/' + d, ROOT + '/dev/' + d, None, MS_BIND)
    for name, target in (('fd', '/proc/self/fd'), ('stdin', '/proc/self/fd/0'), ('stdout', '/proc/self/fd/1'), ('stderr', '/proc/self/fd/2')):
        os.symlink(target, ROOT + '/dev/' + name)
    for d in ('/dev/shm', '/tmp', '/var', '/var/tmp', '/run', '/run/lock', '/box'):
        os.mkdir(ROOT + d)
        os.chmod(ROOT + d, 0o1777 if d not in ('/var', '/run', '/box') else 0o755)
    os.mkdir(ROOT + '/proc')
    mount('proc', ROOT + '/proc', 'proc', MS_NOSUID | MS_NODEV | MS_NOEXEC)
    files = {
        '/box/lib/server.py': (0, spec['rpc'] + '\n' + spec['server'], 0o644),
        '/box/lib/harness.py': (0, spec['rpc'] + '\n' + spec['harness'], 0o644),
        '/box/work/solution.py': (s_uid, spec['program'], 0o644),
        '/box/test/test.py': (h_uid, spec['test'], 0o400),
    }
    # The program owns its folder; the harness (its group) may read what the program wrote there; the test is the harness's.
    for d, uid, gid, mode in (('/box/lib', 0, 0, 0o755), ('/box/work', s_uid, h_uid, 0o770), ('/box/test', h_uid, h_uid, 0o700)):
        os.mkdir(ROOT + d)
        os.chown(ROOT + d, uid, gid)
        os.chmod(ROOT + d, mode)
    for path, (uid, text, mode) in files.items():
        with open(ROOT + path, 'w', encoding='utf-8', errors='surrogatepass') as f:
            f.write(text)
        os.chown(ROOT + path, uid, uid)
        os.chmod(ROOT + path, mode)


def start_child(spec, uid, fds, cwd, script, limits, procs_fds, oom_score, env):
    pid = os.fork()
    if pid:
        return pid
    try:
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in procs_fds:
            os.write(fd, b'0')
        os.closerange(3, 1 << 16)
        try:
            write('/proc/self/oom_score_adj', str(oom_score))
        except OSError:
            pass  # lowering it needs CAP_SYS_RESOURCE, which a container may not grant
        for res, value in limits:
            resource.setrlimit(res, value)
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        # The slot's uid may have been used before: its user keyrings start empty.
        keyctl(KEYCTL_CLEAR, KEY_SPEC_USER_KEYRING)
        keyctl(KEYCTL_CLEAR, KEY_SPEC_USER_SESSION_KEYRING)
        keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0)
        if LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            fail('no_new_privs')
        os.chdir(cwd)
        os.execve(spec['python'], [spec['python']] + script, env)
    except BaseException as e:
        try:
            os.write(2, ('sandbox: could not start a child: %s\n' % e).encode())
        finally:
            os._exit(127)


def init(spec, slot_uids, alive_r, channels, procs_paths):
    verdict_w, output_w, status_w = channels
    if LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        fail('pdeathsig')
    if select.select([alive_r], [], [], 0)[0] and os.read(alive_r, 1) == b'':
        os._exit(1)
    s_uid, h_uid = slot_uids
    procs_fds = [os.open(p, os.O_WRONLY | os.O_CLOEXEC) for p in procs_paths]
    build_root(spec, slot_uids)
    os.chroot(ROOT)
    os.chdir('/')
    null = os.open('/dev/null', os.O_RDWR | os.O_CLOEXEC)
    import socket
    h_end, s_end = socket.socketpair()
    env = {'PATH': '/usr/bin:/bin', 'LANG': 'C.UTF-8', 'MALLOC_ARENA_MAX': '2'}
    wall = int(spec['wall_clock_seconds']) + 2
    harness_limits = [(resource.RLIMIT_CPU, (wall, wall)), (resource.RLIMIT_DATA, (1 << 30, 1 << 30)),
                      (resource.RLIMIT_NPROC, (1, 1)), (resource.RLIMIT_FSIZE, (0, 0)), (resource.RLIMIT_CORE, (0, 0))]
    cpu, mem, nproc = spec['cpu_seconds'], spec['memory_bytes'], spec['max_processes']
    program_limits = [(resource.RLIMIT_CPU, (cpu, cpu + 1)), (resource.RLIMIT_DATA, (mem, mem)),
                      (resource.RLIMIT_STACK, (8 << 20, 8 << 20)), (resource.RLIMIT_NPROC, (nproc, nproc)),
                      (resource.RLIMIT_FSIZE, (spec['max_file_bytes'], spec['max_file_bytes'])), (resource.RLIMIT_CORE, (0, 0))]
    harness = start_child(spec, h_uid, [h_end.fileno(), verdict_w, output_w], '/box/work', ['-I', '-S', '-B', '/box/lib/harness.py'],
                          harness_limits, [], -1000, dict(env, HOME='/box/test'))
    program = start_child(spec, s_uid, [s_end.fileno(), output_w, output_w], '/box/work', ['-I', '-B', '/box/lib/server.py'],
                          program_limits, procs_fds, 1000, dict(env, HOME='/box/work'))
    for fd in procs_fds + [verdict_w, output_w, null]:
        os.close(fd)
    h_end.close()
    s_end.close()
    while True:
        try:
            pid, status, usage = os.wait4(-1, 0)
        except ChildProcessError:
            signal.pause()
            continue
        if pid in (program, harness):
            who = 'program' if pid == program else 'harness'
            os.write(status_w, (json.dumps({'who': who, 'status': status, 'cpu': usage.ru_utime + usage.ru_stime}) + '\n').encode())


# ---------------------------------------------------------------- outer supervisor

def classify(spec, timed_out, verdict, program, cgroup_ooms):
    if timed_out:
        return 'timeout', 'wall-clock limit of %g s reached; the sandbox was killed' % spec['wall_clock_seconds']
    if verdict is None:
        return 'crash', 'the test harness ended without a verdict'
    kind, detail = verdict.get('kind'), str(verdict.get('detail', ''))
    if kind == 'PASS':
        return 'pass', 'passed'
    if kind == 'FAIL':
        return 'fail', detail
    if kind == 'ERROR':
        return 'crash', detail
    if program is not None:
        status, cpu = program['status'], program['cpu']
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu >= spec['cpu_seconds']):
                return 'timeout', 'CPU-time limit of %d s reached (%s)' % (spec['cpu_seconds'], signal.Signals(sig).name)
            if sig == signal.SIGKILL and cgroup_ooms:
                return 'crash', 'memory limit of the sandbox (%d MiB) reached; the kernel killed the program' % (spec['sandbox_memory_bytes'] >> 20)
            name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
            return 'crash', 'the program\'s process was killed by signal %d (%s) before the test finished' % (sig, name)
        return 'crash', 'the program\'s process exited with code %d before the test finished' % os.WEXITSTATUS(status)
    return 'crash', detail or 'the program\'s process ended before the test finished'


def main():
    close_fds_above_2()
    spec = json.loads(sys.stdin.buffer.readline())
    slot, lock_fd = take_slot(spec)
    slot_uids = (spec['uid_base'] + 2 * slot, spec['uid_base'] + 2 * slot + 1)
    cgroup = Cgroup(slot, spec)
    keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0)
    if LIBC.unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWPID) != 0:
        fail('unshare')
    alive_r, alive_w = os.pipe()
    verdict_r, verdict_w = os.pipe()
    output_r, output_w = os.pipe()
    status_r, status_w = os.pipe()
    ooms_before = cgroup.oom_kills()
    child = os.fork()
    if child == 0:
        try:
            os.close(alive_w)
            for fd in (verdict_r, output_r, status_r, lock_fd):
                os.close(fd)
            init(spec, slot_uids, alive_r, (verdict_w, output_w, status_w), cgroup.procs_files())
        except BaseException as e:
            os.write(status_w, (json.dumps({'who': 'init', 'error': str(e)[:300]}) + '\n').encode())
        os._exit(1)
    for fd in (alive_r, verdict_w, output_w, status_w):
        os.close(fd)
    try:
        deadline = time.monotonic() + spec['wall_clock_seconds']
        cap = spec['max_output_bytes']
        output, truncated, verdict_buf, status_buf = bytearray(), False, b'', b''
        verdict, statuses, timed_out, host_gone = None, {}, False, False
        open_fds = {0, verdict_r, output_r, status_r}
        grace = None
        while True:
            if verdict is not None and (verdict.get('kind') != 'GONE' or 'program' in statuses):
                break
            if 'init' in statuses or (verdict_r not in open_fds and verdict is None):
                break
            now = time.monotonic()
            if verdict is not None and grace is None:
                grace = now + 2
            limit = min(deadline, grace) if grace is not None else deadline
            if now >= limit:
                timed_out = grace is None
                break
            ready = select.select(list(open_fds), [], [], limit - now)[0]
            for fd in ready:
                data = os.read(fd, 1 << 16)
                if not data:
                    open_fds.discard(fd)
                    if fd == 0:
                        host_gone = True
                    continue
                if fd == output_r:
                    keep = max(0, min(len(data), cap - len(output)))
                    output += data[:keep]
                    truncated = truncated or keep < len(data)
                elif fd == verdict_r:
                    verdict_buf += data[:1 << 16]
                    if b'\n' in verdict_buf and verdict is None:
                        try:
                            verdict = json.loads(verdict_buf.split(b'\n', 1)[0])
                        except ValueError:
                            verdict = {'kind': 'ERROR', 'detail': 'unreadable verdict'}
                elif fd == status_r:
                    status_buf += data
                    while b'\n' in status_buf:
                        line, status_buf = status_buf.split(b'\n', 1)
                        s = json.loads(line)
                        statuses[s['who']] = s
            if host_gone:
                break
    finally:
        # Killing the namespace's init kills every process in the namespace; its waitpid returns once the kernel reaped them all.
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        if sys.exc_info()[0] is not None:
            cgroup.remove()
    while output_r in open_fds and select.select([output_r], [], [], 0)[0]:
        data = os.read(output_r, 1 << 16)
        if not data:
            break
        keep = max(0, min(len(data), cap - len(output)))
        output += data[:keep]
        truncated = truncated or keep < len(data)
    ooms = cgroup.oom_kills() - ooms_before
    cgroup.remove()
    if host_gone:
        os._exit(3)
    if 'init' in statuses:
        outcome, detail = 'crash', 'the sandbox could not be set up: ' + statuses['init']['error']
    else:
        outcome, detail = classify(spec, timed_out, verdict, statuses.get('program'), ooms)
    result = {'outcome': outcome, 'detail': detail, 'output': output.decode('utf-8', 'replace'), 'truncated': truncated,
              'limits': cgroup.kind or 'uid', 'slot': slot}
    sys.stdout.write(json.dumps(result) + '\n')
    sys.stdout.flush()


main()
