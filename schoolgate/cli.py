"""The `schoolgate` command.

Subcommands are loaded lazily by dotted path, so `schoolgate policy check` never imports the DNS
server, the text model or Django, and each capability registers its command in one line here.
"""

from __future__ import annotations

import importlib
import importlib.util

import click

# name -> "module:attribute" of a click command or group; kept sorted.
COMMANDS: dict[str, str] = {
    "accounts": "schoolgate.control.cli.accounts:accounts",
    "agreements": "schoolgate.control.cli:agreements",
    "classify": "schoolgate.classify.text.cli:classify",
    "consents": "schoolgate.control.cli:consents",
    "console": "schoolgate.control.cli.console:console",
    "decide": "schoolgate.policy.cli:decide",
    "demo": "schoolgate.demo:demo",
    "dns": "schoolgate.enforce.dns.cli:dns",
    "events": "schoolgate.control.cli.events:events",
    "leases": "schoolgate.control.cli:leases",
    "lists": "schoolgate.lists.cli:lists",
    "manage": "schoolgate.control.cli:manage",
    "policy": "schoolgate.policy.cli:policy",
    "reviews": "schoolgate.control.reviews.cli:reviews",
    "roster": "schoolgate.control.cli:roster",
    "sanctions": "schoolgate.control.cli:sanctions",
    "scan": "schoolgate.classify.text.cli:scan",
    "snapshot": "schoolgate.control.cli:snapshot",
    "tokens": "schoolgate.control.cli.tokens:tokens",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when used."""

    def __init__(self, *args: object, lazy: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in self.lazy if self._available(name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                return None  # capability not built into this installation
            raise
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        return command

    @staticmethod
    def _available_module(module_name: str) -> bool:
        return importlib.util.find_spec(module_name) is not None

    def _available(self, name: str) -> bool:
        module_name = self.lazy[name].split(":")[0]
        try:
            return self._available_module(module_name)
        except ModuleNotFoundError:
            return False


@click.group(cls=LazyGroup, lazy=COMMANDS)
@click.version_option(package_name="schoolgate")
def main() -> None:
    """schoolgate: the Acceptable Use Policy as running software.

    Every decision it makes names the rule and the board-policy clause it enforces.
    """
