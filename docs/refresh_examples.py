"""Re-run every ``$ dkg ...`` example of a Markdown file on the bundled corpus and put the real output under it.

    python docs/refresh_examples.py README.md

Each fenced block that starts with ``$ dkg ...`` lines is replaced by the commands and what they print now, run
from the project folder against a fresh store holding ``data/corpus`` (``DKG_STORE`` points at it, so the
commands read as a user types them). Long outputs are cut after ``--max-lines`` lines with a note.
"""
from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"```console\n(\$ dkg .*?)```", re.S)


def run(command: str, env: dict) -> str:
    args = shlex.split(command[2:])
    if args[1] == "ingest":  # keep the project's records folder as it is
        args += ["--records", env["DKG_RECORDS"]]
    proc = subprocess.run([sys.executable, str(PROJECT / "cli.py"), *args[1:]], cwd=PROJECT, env=env,
                          capture_output=True, text=True)
    return proc.stdout + proc.stderr


def refresh(text: str, env: dict, max_lines: int) -> str:
    def replace(m: re.Match) -> str:
        commands = [line for line in m.group(1).splitlines() if line.startswith("$ dkg ")]
        out = []
        for command in commands:
            lines = run(command, env).rstrip("\n").splitlines()
            if len(lines) > max_lines:
                lines = lines[:max_lines] + [f"... ({len(lines) - max_lines} more lines)"]
            out += [command, *lines]
        return "```console\n" + "\n".join(out) + "\n```"

    return BLOCK.sub(replace, text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--max-lines", type=int, default=40)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DKG_STORE": str(Path(tmp) / ".dkg"), "DKG_RECORDS": str(Path(tmp) / "records"),
               "COLUMNS": "200"}
        subprocess.run([sys.executable, str(PROJECT / "cli.py"), "ingest", "data/corpus", "--records",
                        env["DKG_RECORDS"]], cwd=PROJECT, env=env, check=True, capture_output=True)
        for path in options.files:
            path.write_text(refresh(path.read_text(encoding="utf-8"), env, options.max_lines), encoding="utf-8")
            print(f"refreshed {path}")


if __name__ == "__main__":
    main()
