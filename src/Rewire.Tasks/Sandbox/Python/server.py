# The program's process (runs after rpc.py in one file): runs the program, then answers the harness's requests until
# the harness closes the channel. Everything here is reachable by the program, and nothing here decides a verdict.
import _thread
import io
import os
import socket


def _main():
    # Thread stacks count against the per-process data limit (RLIMIT_DATA): 2 MiB each instead of RLIMIT_STACK's 8 MiB.
    _thread.stack_size(2 << 20)
    sock = socket.socket(fileno=0)
    sys.stdin = io.StringIO('')
    namespace = {'__name__': 'solution', '__builtins__': builtins}
    channel = Channel(sock, namespace=namespace)
    hello = None
    try:
        exec(compile(open('solution.py', encoding='utf-8').read(), 'solution.py', 'exec'), namespace)
    except SystemExit:
        hello = ['SystemExit', 'the program exited before the test ran']
    except MemoryError:
        hello = ['MemoryError', 'memory limit reached']
    except BaseException as e:
        hello = [type(e).__name__, describe(e).split(': ', 1)[-1]]
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    try:
        channel.send({'hello': hello})
        channel.serve()
    except (ChannelClosed, OSError):
        pass
    os._exit(0)


_main()
