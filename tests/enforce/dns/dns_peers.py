"""Real programs the resolver's tests talk to: an unbound upstream on loopback, free ports.

Each unbound runs with its own configuration in a temporary folder: no daemon, no privilege drop,
no remote control, no DNSSEC trust anchor (module-config "iterator"), answering only from its
local data (`local-zone: "." static`), so no test depends on the system's unbound or the network.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from pathlib import Path

import dns.message
import dns.query
import dns.rcode

UNBOUND = shutil.which("unbound") or "/usr/sbin/unbound"


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free port")


def wait_for_dns(port: int, name: str = "ready.test.", seconds: float = 15.0) -> None:
    """Poll until a DNS server on 127.0.0.1:port answers anything (bounded in time)."""
    deadline = time.monotonic() + seconds
    query = dns.message.make_query(name, "A")
    while time.monotonic() < deadline:
        try:
            dns.query.udp(query, "127.0.0.1", port=port, timeout=0.3)
            return
        except (dns.exception.Timeout, OSError):
            time.sleep(0.05)
    raise TimeoutError(f"nothing answers DNS on 127.0.0.1:{port}")


class Unbound:
    """One unbound process; `local_data` are RR lines ("www.x.test. 300 IN A 192.0.2.1")."""

    def __init__(
        self, folder: Path, local_data: list[str], extra: str = "", forward_to: int | None = None
    ) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        data = "".join(
            f"    local-data: '{line}'\n" if '"' in line else f'    local-data: "{line}"\n'
            for line in local_data
        )
        zone = '    local-zone: "." static\n' if forward_to is None else ""
        modules = "respip iterator" if "rpz:" in extra else "iterator"
        forward = ""
        if forward_to is not None:
            forward = f'forward-zone:\n    name: "."\n    forward-addr: 127.0.0.1@{forward_to}\n'
        self.config = folder / "unbound.conf"
        self.config.write_text(
            "server:\n"
            "    interface: 127.0.0.1\n"
            f"    port: {self.port}\n"
            "    do-daemonize: no\n"
            '    username: ""\n'
            '    chroot: ""\n'
            f'    directory: "{folder}"\n'
            '    pidfile: ""\n'
            "    use-syslog: no\n"
            '    logfile: ""\n'
            "    verbosity: 0\n"
            "    do-ip6: no\n"
            "    num-threads: 1\n"
            "    do-not-query-localhost: no\n"
            "    access-control: 127.0.0.0/8 allow\n"
            f'    module-config: "{modules}"\n'
            "    qname-minimisation: no\n"
            "    msg-cache-size: 4m\n"
            "    rrset-cache-size: 4m\n"
            f"{zone}{data}"
            "remote-control:\n"
            "    control-enable: no\n"
            f"{forward}{extra}"
        )
        check = subprocess.run(
            ["unbound-checkconf", str(self.config)], capture_output=True, text=True, check=False
        )
        if check.returncode != 0:
            raise RuntimeError(f"bad unbound config: {check.stdout}{check.stderr}")
        self.process = subprocess.Popen(
            [UNBOUND, "-d", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=(folder / "unbound.err").open("wb"),
        )
        try:
            wait_for_dns(self.port)
        except TimeoutError:
            self.stop()
            raise RuntimeError((folder / "unbound.err").read_text()) from None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> Unbound:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def rcode_of(message: dns.message.Message) -> str:
    return dns.rcode.to_text(message.rcode())


def addresses(message: dns.message.Message) -> list[str]:
    out = []
    for rrset in message.answer:
        for rdata in rrset:
            with contextlib.suppress(AttributeError):
                out.append(rdata.address)
    return sorted(out)
