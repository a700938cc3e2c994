"""The README is part of the contract: every command has help and an example there, and the quick start's
test command is the one CI runs."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
CI_RUN = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1]
    block = re.search(r"```[a-z]*\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_quick_start_has_exactly_two_command_lines():
    commands = quick_start_commands()
    assert len(commands) == 2, commands
    assert commands[0].startswith("pip install -e .")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    assert quick_start_commands()[1] in CI_RUN.splitlines()


@pytest.mark.parametrize("name", sorted(cli.cli.commands))
def test_command_has_help(name):
    assert cli.cli.commands[name].help, f"dkg {name} has no help text"


@pytest.mark.parametrize("name", sorted(cli.cli.commands))
def test_command_is_documented_in_readme(name):
    assert f"dkg {name}" in README, f"README.md has no example of 'dkg {name}'"
