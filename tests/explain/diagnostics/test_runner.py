"""run_command: real children, no shell, killed at the timeout, output bounded and counted."""

from __future__ import annotations

import shutil
import time

from nightcall.explain.diagnostics import CommandRequest, find_tool, run_command


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path is not None, f"the test needs {name}"
    return path


def test_runs_an_argument_list_without_a_shell() -> None:
    """Shell syntax in an argument reaches the child as text: nothing is expanded or chained."""
    outcome = run_command(
        CommandRequest(
            argv=(_tool("echo"), "$(id)", "`id`", ";", "id"), timeout_s=5, max_output_bytes=1000
        )
    )
    assert outcome.exit_code == 0
    assert outcome.output == b"$(id) `id` ; id\n"


def test_child_gets_a_minimal_environment_and_no_stdin() -> None:
    """The child sees only PATH and the C locale, and reads end-of-file from stdin."""
    env = run_command(CommandRequest(argv=(_tool("env"),), timeout_s=5, max_output_bytes=10_000))
    assert sorted(env.output.decode().split()) == sorted(
        ["LANG=C", "LC_ALL=C", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
    )
    stdin = run_command(CommandRequest(argv=(_tool("cat"),), timeout_s=5, max_output_bytes=100))
    assert (stdin.exit_code, stdin.output) == (0, b"")


def test_a_slow_command_is_killed_at_its_timeout() -> None:
    """A command that overruns is killed with its process group and reported as timed out."""
    started = time.monotonic()
    outcome = run_command(
        CommandRequest(argv=(_tool("sleep"), "30"), timeout_s=0.5, max_output_bytes=100)
    )
    assert outcome.is_timed_out
    assert outcome.exit_code is None
    assert time.monotonic() - started < 5


def test_output_is_bounded_but_counted() -> None:
    """Only max_output_bytes are kept; the rest is read (the child never blocks) and counted."""
    outcome = run_command(
        CommandRequest(argv=(_tool("seq"), "1", "100000"), timeout_s=10, max_output_bytes=1000)
    )
    assert outcome.exit_code == 0
    assert len(outcome.output) == 1000
    assert outcome.output.startswith(b"1\n2\n3\n")
    assert outcome.output_bytes == len("".join(f"{n}\n" for n in range(1, 100_001)))


def test_a_command_that_cannot_start_is_an_outcome_not_an_exception() -> None:
    """A missing executable gives an outcome with the reason, not an exception."""
    outcome = run_command(
        CommandRequest(argv=("/nonexistent/tool",), timeout_s=1, max_output_bytes=100)
    )
    assert outcome.exit_code is None
    assert "No such file" in outcome.error


def test_find_tool_resolves_bare_names_only() -> None:
    """Tools are found on PATH, the sbin directories or beside Python; paths are never looked up."""
    assert find_tool("sleep") == shutil.which("sleep")
    assert find_tool("/bin/sleep") is None
    assert find_tool("nightcall-no-such-tool") is None
