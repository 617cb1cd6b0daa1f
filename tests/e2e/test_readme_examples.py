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


def events_python_example() -> str:
    """The Python block of "Send your game's events"."""
    text = README.read_text()
    section = text[text.index("## Send your game's events") :]
    section = section[: section.index("\n## ", 1)]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "no Python block in the README's events section"
    return match.group(1)


def test_the_python_events_example_sends_a_batch(stack: Any, tmp_path: Path) -> None:
    import os
    import sys

    import admin_setup
    from test_ingestion_flow import SCORE, wait_until_ingestion_knows

    admin = stack.admin_headers()
    event_type = f"match_won_{uuid.uuid4().hex[:8]}"
    with stack.client() as http:
        admin_setup.event_type(http, admin, event_type, SCORE)
        created = admin_setup.new_client(http, admin)
        token = admin_setup.client_token(http, created)
    player = stack.sign_up()
    wait_until_ingestion_knows(stack, token, event_type, player.user_id)
    code = events_python_example()
    assert '"match_won"' in code and "Retry-After" in code
    script = tmp_path / "send_events.py"
    script.write_text(code.replace('"match_won"', f'"{event_type}"'))
    env = {
        **os.environ,
        "GW": stack.gateway_url,
        "CLIENT_ID": created["client_id"],
        "CLIENT_SECRET": created["client_secret"],
        "PLAYER_ID": player.user_id,
    }
    result = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert result.stdout.strip() == "{'accepted': 2, 'duplicates': 0}", result.stdout
