# The channel between the test harness and the program's process (two processes, two users; see PythonSandbox.cs).
# Messages are length-prefixed JSON. Values cross as plain data (None, bool, int, float, complex, str, bytes, list,
# tuple, dict, set, frozenset) rebuilt by the receiver; any other object stays with its owner and crosses as a handle the
# receiver sees as a Proxy whose every use is a request. A handle to a module carries the module's name: the harness
# uses its own copy of a standard module when the program's global of the same name is that module (`import math`), so
# a test never runs code the program patched, and never runs a function the program chose from the harness's modules.
# The other way, the program's process uses its own copy of a standard function or class the test passes (`key=len`),
# and may call the test's own functions (callbacks) but nothing else of the harness.
import base64
import builtins
import importlib
import json
import operator
import struct
import sys
import types

MAX_MESSAGE = 16 << 20
_EXCEPTIONS = {n: c for n, c in vars(builtins).items() if isinstance(c, type) and issubclass(c, Exception)}
_OPS = frozenset(['getitem', 'setitem', 'delitem', 'contains', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'add', 'sub', 'mul',
                  'truediv', 'floordiv', 'mod', 'pow', 'and_', 'or_', 'xor', 'lshift', 'rshift', 'matmul', 'neg', 'pos',
                  'abs', 'invert', 'index', 'truth'])
_UNSAFE_MODULES = frozenset(['antigravity', 'this', 'idlelib', 'tkinter', 'turtle', 'turtledemo', '__main__'])


class ChannelClosed(Exception):
    """The other process closed the channel (it ended)."""


class ProtocolError(Exception):
    """The other process sent something that is not a well-formed message."""


class RemoteError(Exception):
    """An exception of a type the other process defined; the message names the type."""


def describe(e):
    try:
        if isinstance(e, RemoteError):
            return str(e)
        return type(e).__name__ + ': ' + str(e)
    except BaseException:
        return type(e).__name__


def local_module(name):
    """This interpreter's own copy of a standard module, or None."""
    top = name.split('.')[0]
    if top not in sys.stdlib_module_names or top in _UNSAFE_MODULES:
        return None
    try:
        return importlib.import_module(name)
    except BaseException:
        return None


def _strict(value, kind, what):
    if type(value) is not kind:
        raise TypeError('%s gave %s, expected %s' % (what, type(value).__name__, kind.__name__))
    return value


class Channel:
    def __init__(self, sock, namespace=None, harness=False):
        self.sock = sock
        self.namespace = namespace
        self.harness = harness
        self.objects = {}
        self.handles = {}
        self.proxies = {}

    # --- framing ---
    def send(self, msg):
        data = json.dumps(msg, separators=(',', ':')).encode('ascii')
        if len(data) > MAX_MESSAGE:
            raise ProtocolError('a message of %d bytes exceeds the %d byte cap' % (len(data), MAX_MESSAGE))
        self.sock.sendall(struct.pack('>I', len(data)) + data)

    def _exact(self, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(min(n - len(buf), 1 << 20))
            if not chunk:
                raise ChannelClosed('the other process closed the channel')
            buf += chunk
        return bytes(buf)

    def receive(self):
        (n,) = struct.unpack('>I', self._exact(4))
        if n > MAX_MESSAGE:
            raise ProtocolError('a message of %d bytes exceeds the %d byte cap' % (n, MAX_MESSAGE))
        try:
            msg = json.loads(self._exact(n).decode('ascii'))
        except (ValueError, RecursionError) as e:
            raise ProtocolError('malformed message: ' + describe(e)) from None
        if not isinstance(msg, dict):
            raise ProtocolError('a message is not an object')
        return msg

    # --- values ---
    def _export(self, v):
        key = id(v)
        h = self.handles.get(key)
        if h is None:
            h = len(self.objects) + 1
            self.objects[h] = v
            self.handles[key] = h
        return h

    def encode(self, v):
        t = type(v)
        if v is None or t is bool or t is str or t is float:
            return v
        if t is int:
            return v if -(1 << 53) < v < (1 << 53) else {'$i': format(v, 'x')}
        if t is list:
            return [self.encode(x) for x in v]
        if t is tuple:
            return {'$t': [self.encode(x) for x in v]}
        if t is dict:
            return {'$d': [[self.encode(k), self.encode(x)] for k, x in v.items()]}
        if t is set:
            return {'$s': [self.encode(x) for x in v]}
        if t is frozenset:
            return {'$f': [self.encode(x) for x in v]}
        if t is bytes:
            return {'$b': base64.b64encode(v).decode('ascii')}
        if t is complex:
            return {'$c': [v.real, v.imag]}
        if t is Proxy and object.__getattribute__(v, '_rw_ch') is self:
            return {'$p': object.__getattribute__(v, '_rw_h')}
        out = {'$h': self._export(v)}
        if t is type(sys) and type(v.__name__) is str:
            out['$m'] = v.__name__
        else:
            mod, qual = getattr(v, '__module__', None), getattr(v, '__qualname__', None)
            if type(mod) is str and type(qual) is str and mod in sys.modules:
                out['$r'] = [mod, qual]
        return out

    def decode(self, x):
        t = type(x)
        if x is None or t in (bool, int, float, str):
            return x
        if t is list:
            return [self.decode(y) for y in x]
        if t is not dict or not x:
            raise ProtocolError('unknown value')
        if '$h' in x:
            return self._incoming_handle(x)
        if len(x) != 1:
            raise ProtocolError('unknown value')
        (tag, body), = x.items()
        if tag == '$i':
            return int(body, 16)
        if tag == '$t':
            return tuple(self.decode(y) for y in body)
        if tag == '$d':
            return {self.decode(k): self.decode(y) for k, y in body}
        if tag == '$s':
            return {self.decode(y) for y in body}
        if tag == '$f':
            return frozenset(self.decode(y) for y in body)
        if tag == '$b':
            return base64.b64decode(body)
        if tag == '$c':
            return complex(body[0], body[1])
        if tag == '$p':
            if body not in self.objects:
                raise ProtocolError('a handle this process never gave')
            return self.objects[body]
        raise ProtocolError('unknown tag ' + str(tag)[:20])

    def _incoming_handle(self, x):
        if not self.harness:
            own = self._resolve(x)
            if own is not None:
                return own
        h = x['$h']
        if type(h) is not int:
            raise ProtocolError('a handle is not an integer')
        p = self.proxies.get(h)
        if p is None:
            p = self.proxies[h] = Proxy(self, h, x.get('$m') if type(x.get('$m')) is str else None)
        return p

    @staticmethod
    def _resolve(x):
        """The program's own copy of a standard module, function or class the harness named (never used by the harness)."""
        if type(x.get('$m')) is str:
            return local_module(x['$m'])
        r = x.get('$r')
        if type(r) is list and len(r) == 2 and type(r[0]) is str and type(r[1]) is str:
            obj = local_module(r[0])
            try:
                for part in r[1].split('.'):
                    obj = getattr(obj, part) if obj is not None else None
            except AttributeError:
                return None
            return obj
        return None

    # --- requests ---
    def request(self, op, *args):
        self.send({'q': op, 'a': [self.encode(a) for a in args]})
        while True:
            msg = self.receive()
            if 'q' in msg:
                self.answer(msg)
            elif 'r' in msg:
                return self.decode(msg['r'])
            elif 'e' in msg:
                raise self._error(msg['e'])
            else:
                raise ProtocolError('a message is neither a request nor a reply')

    @staticmethod
    def _error(e):
        if type(e) is not list or len(e) != 2 or type(e[0]) is not str or type(e[1]) is not str:
            return ProtocolError('malformed error')
        cls = _EXCEPTIONS.get(e[0])
        if cls is not None:
            try:
                return cls(e[1][:1000])
            except BaseException:
                pass
        return RemoteError((e[0] + ': ' + e[1])[:1000])

    def serve(self):
        while True:
            msg = self.receive()
            if 'q' not in msg:
                raise ProtocolError('a reply without a request')
            self.answer(msg)

    def answer(self, msg):
        try:
            args = [self.decode(a) for a in msg.get('a', [])]
            reply = {'r': self.encode(self._do(msg['q'], args))}
        except (ChannelClosed, ProtocolError):
            raise
        except BaseException as e:
            reply = {'e': [type(e).__name__, describe(e).split(': ', 1)[-1][:1000]]}
        try:
            self.send(reply)
        except ProtocolError as e:
            self.send({'e': ['ProtocolError', str(e)]})

    def _do(self, op, a):
        if op == 'global':
            if self.namespace is None or type(a[0]) is not str or a[0] not in self.namespace:
                raise KeyError(a[0])
            return self.namespace[a[0]]
        if op == 'call':
            if self.harness and not isinstance(a[0], (types.FunctionType, types.MethodType)):
                raise TypeError('the program may call only functions the test defined')
            return a[0](*a[1], **a[2])
        if op == 'iter':
            return iter(a[0])
        if op == 'next':
            return next(a[0])
        if op == 'len':
            return len(a[0])
        if op == 'repr':
            return repr(a[0])
        if op == 'str':
            return str(a[0])
        if op == 'op' and a[0] in _OPS:
            return getattr(operator, a[0])(*a[1:])
        if op in ('getattr', 'setattr', 'delattr') and not self.harness:
            return getattr(builtins, op)(*a)
        raise ProtocolError('request %s is not allowed' % str(op)[:20])


class Proxy:
    """An object that lives in the other process; every use is a request, every answer plain data or another Proxy.
    A Proxy never equals a plain value: a program cannot pass a test by returning an object that claims equality."""

    __slots__ = ('_rw_ch', '_rw_h', '_rw_module', '__weakref__')

    def __init__(self, ch, h, module=None):
        object.__setattr__(self, '_rw_ch', ch)
        object.__setattr__(self, '_rw_h', h)
        object.__setattr__(self, '_rw_module', module)

    def _rw(self, op, *a):
        return object.__getattribute__(self, '_rw_ch').request(op, *a)

    def __getattr__(self, name):
        if name.startswith('__') and name.endswith('__'):
            raise AttributeError(name)
        return self._rw('getattr', self, name)

    def __setattr__(self, name, value):
        self._rw('setattr', self, name, value)

    def __delattr__(self, name):
        self._rw('delattr', self, name)

    def __call__(self, *a, **k):
        return self._rw('call', self, list(a), k)

    def __getitem__(self, k):
        return self._rw('op', 'getitem', self, k)

    def __setitem__(self, k, v):
        self._rw('op', 'setitem', self, k, v)

    def __delitem__(self, k):
        self._rw('op', 'delitem', self, k)

    def __contains__(self, x):
        return _strict(self._rw('op', 'contains', self, x), bool, 'in')

    def __len__(self):
        return _strict(self._rw('len', self), int, 'len()')

    def __iter__(self):
        return self._rw('iter', self)

    def __next__(self):
        return self._rw('next', self)

    def __bool__(self):
        return _strict(self._rw('op', 'truth', self), bool, 'bool()')

    def __repr__(self):
        return _strict(self._rw('repr', self), str, 'repr()')

    def __str__(self):
        return _strict(self._rw('str', self), str, 'str()')

    def __index__(self):
        return _strict(self._rw('op', 'index', self), int, 'index()')

    def __hash__(self):
        return hash(('rewire-proxy', object.__getattribute__(self, '_rw_h')))

    def __eq__(self, other):
        if type(other) is not Proxy:
            return False
        return _strict(self._rw('op', 'eq', self, other), bool, '==')

    def __ne__(self, other):
        if type(other) is not Proxy:
            return True
        return _strict(self._rw('op', 'ne', self, other), bool, '!=')


def _compare(name):
    def f(self, other):
        if type(other) is not Proxy:
            return NotImplemented
        return _strict(self._rw('op', name, self, other), bool, name)
    return f


def _binary(name):
    def f(self, other):
        return self._rw('op', name, self, other)

    def r(self, other):
        return self._rw('op', name, other, self)
    return f, r


def _unary(name):
    def f(self):
        return self._rw('op', name, self)
    return f


for _n in ('lt', 'le', 'gt', 'ge'):
    setattr(Proxy, '__%s__' % _n, _compare(_n))
for _n in ('add', 'sub', 'mul', 'truediv', 'floordiv', 'mod', 'pow', 'and_', 'or_', 'xor', 'lshift', 'rshift', 'matmul'):
    _f, _r = _binary(_n)
    _d = _n.rstrip('_')
    setattr(Proxy, '__%s__' % _d, _f)
    setattr(Proxy, '__r%s__' % _d, _r)
for _n in ('neg', 'pos', 'abs', 'invert'):
    setattr(Proxy, '__%s__' % _n, _unary(_n))
