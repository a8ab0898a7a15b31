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


def test_an_unexpected_error_exits_2_with_a_message_not_a_traceback(monkeypatch, capsys):
    """The console script's last line of defence: a bug is said in one line, exit status 2."""
    from kachin_events import validation
    from kachin_events.cli import main

    def broken(*args, **kwargs):
        raise RuntimeError("a bug for the test")

    monkeypatch.setattr(validation, "validate", broken)
    monkeypatch.delenv("KACHIN_EVENTS_DEBUG", raising=False)
    with pytest.raises(SystemExit) as caught:
        main(["validate", "events.csv", "--today", "2026-11-22"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: a bug for the test" in err and "KACHIN_EVENTS_DEBUG" in err
    assert "Traceback" not in err
    monkeypatch.setenv("KACHIN_EVENTS_DEBUG", "1")
    with pytest.raises(RuntimeError, match="a bug for the test"):
        main(["validate", "events.csv", "--today", "2026-11-22"])
