"""What a query worker may not do: open a network socket, or overflow its stack on a deeply built query.

**No network.** The server refuses ``SERVICE`` before a query reaches a worker (:func:`drugkg.server.app.uses_service`),
but the engine itself would call any ``SERVICE`` IRI it is given (pyoxigraph has no option to turn federation off).
So each worker, before it opens the store, installs a seccomp filter (Linux, x86-64 and AArch64) under which
``socket()`` fails with EACCES for every address family but ``AF_UNIX`` (the worker's pipe to the server is a
Unix socket pair made before the filter), and ``io_uring_setup`` (a way around it) fails too. The filter cannot be
removed and is inherited by any child. Whatever a query says, the worker cannot reach another host or port.

**A deep stack.** pyoxigraph parses and evaluates a query recursively and crashes on a few thousand levels; the
server refuses nesting past :data:`drugkg.queries.MAX_NESTING` before parsing, and a worker runs its jobs on a
thread with a deep stack (:func:`drugkg.engine.on_deep_stack`), on which every construct measured, repeated up to
the server's 64 KB query size cap, parses and runs (or meets the timeout) without a crash.
"""

from __future__ import annotations

import ctypes
import platform
import struct
import sys

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_EACCES = 13
_AF_UNIX = 1
# BPF instructions (linux/filter.h): load a word, jump if equal / greater or equal to a constant, return
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
# architecture: (AUDIT_ARCH value, socket() number, io_uring_setup() number)
_ARCHES = {"x86_64": (0xC000003E, 41, 425), "aarch64": (0xC00000B7, 198, 425)}
_X32_BIT = 0x40000000  # x86-64's x32 system calls: refused outright


class _Filter(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


def _program(arch: str) -> bytes:
    """The seccomp BPF program for ``arch``: see the module's docstring for what it refuses."""
    audit, socket_nr, uring_nr = _ARCHES[arch]
    deny = _SECCOMP_RET_ERRNO | _EACCES
    code = [
        (_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (_JEQ_K, 1, 0, audit),  # another architecture's calling convention (32-bit compatibility): refuse
        (_RET_K, 0, 0, deny),
        (_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
        (_JGE_K, 5, 0, _X32_BIT),
        (_JEQ_K, 4, 0, uring_nr),
        (_JEQ_K, 1, 0, socket_nr),
        (_RET_K, 0, 0, _SECCOMP_RET_ALLOW),
        (_LD_W_ABS, 0, 0, 16),  # the low half of seccomp_data.args[0]: socket()'s address family
        (_JEQ_K, 1, 0, _AF_UNIX),
        (_RET_K, 0, 0, deny),
        (_RET_K, 0, 0, _SECCOMP_RET_ALLOW),
    ]
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in code)


def forbid_network() -> str | None:
    """Make every later ``socket()`` call of this process, but for Unix sockets, fail; None when done, else why
    it could not be done here (not Linux, another processor, or the kernel refused).

    Irreversible: call it only in a process that must never reach the network (a query worker).
    """
    arch = platform.machine()
    if not sys.platform.startswith("linux") or arch not in _ARCHES:
        return f"no network sandbox for {sys.platform} on {arch} (Linux on x86_64 or aarch64 only)"
    libc = ctypes.CDLL(None, use_errno=True)
    program = _program(arch)
    prog = _Filter(len(program) // 8, program)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or libc.prctl(
        _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0
    ) != 0:
        return f"the kernel refused the network sandbox (errno {ctypes.get_errno()})"
    return None
