"""The README's API walk-through, run as a newcomer would copy it, against the running stack."""

from __future__ import annotations

import re
import subprocess
import uuid
from pathlib import Path
from typing import Any

README = Path(__file__).parents[2] / "README.md"


def gateway_walkthrough() -> str:
    """The shell block of "Using the API through the gateway"."""
    text = README.read_text()
    section = text[text.index("## Using the API through the gateway") :]
    match = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert match, "no shell block in the README's gateway section"
    return match.group(1)


def test_the_walkthrough_claims_ten_diamonds_and_the_stream_says_how_it_ends(stack: Any) -> None:
    script = gateway_walkthrough()
    stream_line = next(line for line in script.splitlines() if "notifications/stream" in line)
    # curl without -s prints a progress meter over the events; without -N it buffers them.
    assert stream_line.startswith("curl -sN "), stream_line
    before_stream = script[: script.index(stream_line)]
    assert "Ctrl-C" in before_stream.splitlines()[-1], "say that the stream never returns"

    name = f"readme_{uuid.uuid4().hex[:10]}"
    runnable = (
        before_stream.replace("GW=http://localhost:8000", f"GW={stack.gateway_url}").replace(
            "alice", name
        )
        # The stream never ends by itself: here it is cut after a few seconds.
        + stream_line.replace("curl -sN ", "curl -sN --max-time 3 ")
        + " || test $? -eq 28\n"  # 28: curl's "operation timed out", i.e. it streamed
    )
    result = subprocess.run(
        ["bash", "-e", "-c", runnable], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr + result.stdout
    out = result.stdout.replace(" ", "")
    # Three sign-ins, as the README says, then the claim pays (no 409 {"detail": ...}), and the
    # wallet shows it.
    assert '"detail"' not in out, out
    assert '"credited":true' in out and '"diamond":10' in out, out
