"""Running the real resolver for a test: in this process (on a thread with its own event loop,
so tests can look inside), or as the `schoolgate dns` command in a subprocess."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from concurrent.futures import Future
from pathlib import Path

from dns_peers import free_port, wait_for_dns

from schoolgate.classify.domains.build import build_index
from schoolgate.enforce.dns.service import Resolver, ResolverOptions
from schoolgate.lists.model import Entry

HERE = Path(__file__).parent
FIXTURES = HERE.parent / "fixtures"
PACK = FIXTURES / "dns-pack.yaml"
SCHOOLGATE = Path(sys.executable).parent / "schoolgate"  # the installed command

# name -> UT1 category, for the test lists (a listed name covers its subdomains)
LISTED = {
    "games.test": "games",
    "chat.test": "chat",
    "adult.test": "adult",
    "proxy.test": "redirector",
    "vpn.test": "vpn",
    "doh.test": "doh",
    "malware.test": "malware",
    "social.test": "social_networks",
    "shop.test": "shopping",
}

NETWORKS = """\
networks:
  - name: students
    cidr: 127.0.0.0/24
    school: ms1
    roles: [student]
    groups: [student-network]
  - name: staff
    cidr: 127.0.1.0/24
    roles: [staff]
    groups: [staff-network]
    failure: open
  - name: one-student-laptop
    cidr: 127.0.1.99/32
    roles: [student]
"""

STUDENT = "127.0.0.10"
STAFF = "127.0.1.10"


def build_lists(folder: Path, listed: dict[str, str] | None = None) -> Path:
    out = folder / "lists.idx"
    entries = [Entry(name, category) for name, category in (listed or LISTED).items()]
    build_index(entries, out)
    return out


def write_networks(folder: Path, text: str = NETWORKS) -> Path:
    path = folder / "networks.yaml"
    path.write_text(text)
    return path


class InProcess:
    """A Resolver on its own event loop thread; `resolver` is inspectable from the test."""

    def __init__(self, options: ResolverOptions) -> None:
        self.messages: list[str] = []
        self.resolver = Resolver(options, log=self._log)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.host, self.port = self.call(self.resolver.start())

    def _log(self, message: str) -> None:
        self.messages.append(message)

    def call(self, coroutine):  # type: ignore[no-untyped-def]
        future: Future[object] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(timeout=30)

    def run(self, function):  # type: ignore[no-untyped-def]
        """Run a plain function on the resolver's loop (its state is not thread-safe)."""

        async def wrapper():  # type: ignore[no-untyped-def]
            return function()

        return self.call(wrapper())

    def stop(self) -> None:
        self.call(self.resolver.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


class Subprocess:
    """`schoolgate dns …` as a user runs it."""

    def __init__(self, args: list[str], folder: Path) -> None:
        self.port = free_port()
        self.stderr_path = folder / "dns.err"
        self.process = subprocess.Popen(
            [str(SCHOOLGATE), "dns", "--listen", f"127.0.0.1:{self.port}", *args],
            stdout=subprocess.DEVNULL,
            stderr=self.stderr_path.open("wb"),
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            wait_for_dns(self.port, seconds=30)
        except TimeoutError:
            self.stop()
            raise RuntimeError(self.stderr) from None

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def signal(self, number: int) -> None:
        self.process.send_signal(number)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode
