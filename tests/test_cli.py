"""The command line as a whole: every command shows an example and documents every option."""

from __future__ import annotations

import click
import pytest

from kachin_events.cli import cli


def _commands():
    ctx = click.Context(cli)
    return [(name, cli.get_command(ctx, name)) for name in cli.list_commands(ctx)]


@pytest.mark.parametrize("name,command", _commands(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_has_an_example_and_documented_options(name, command):
    text = command.help or ""
    assert "Examples:" in text, f"`kachin-events {name} --help` shows no example"
    examples = text.split("Examples:", 1)[1]
    assert f"kachin-events {name}" in examples, f"the examples of {name} do not run {name}"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"option {param.opts} of {name} has no help text"


def test_every_command_exits_2_on_a_usage_error():
    from click.testing import CliRunner

    runner = CliRunner()
    for name, _command in _commands():
        result = runner.invoke(cli, [name, "--no-such-option"])
        assert result.exit_code == 2, (name, result.output)
