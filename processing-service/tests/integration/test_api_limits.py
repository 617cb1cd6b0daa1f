"""Limits of one API replica, on a real `uvicorn` process: SSE streams per player, taken before
the response starts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from quest_devtools.testing.tokens import TestKeys
from quest_devtools.testing.waiting import wait_for

STREAM = "/api/processing/notifications/stream"


async def _open_streams(base: str, token: str, count: int) -> tuple[list[int], int]:
    """Open `count` streams at once; → (the statuses, how many 200s are still open once every
    answer is in). An open stream of a new player has nothing to send yet, so reading from it
    waits; one that ended reads to its end at once."""
    headers = {"Authorization": f"Bearer {token}"}
    timeout = httpx.Timeout(30, read=2)
    limits = httpx.Limits(max_connections=count + 5)
    async with httpx.AsyncClient(base_url=base, timeout=timeout, limits=limits) as client:
        gate = asyncio.Event()

        async def open_one() -> httpx.Response:
            await gate.wait()
            request = client.build_request("GET", STREAM, headers=headers)
            return await client.send(request, stream=True)

        tasks = [asyncio.create_task(open_one()) for _ in range(count)]
        await asyncio.sleep(0.2)
        gate.set()
        responses = await asyncio.gather(*tasks)
        still_open = 0
        for response in responses:
            if response.status_code == 200:
                try:
                    await anext(response.aiter_raw())
                except StopAsyncIteration:
                    pass  # ended at once
                except httpx.ReadTimeout:
                    still_open += 1
        for response in responses:
            await response.aclose()
        return [r.status_code for r in responses], still_open


def test_thirty_parallel_opens_give_five_open_streams_and_twenty_five_429(
    start_api: Callable[..., str], test_keys: TestKeys
) -> None:
    base = start_api()
    token = test_keys.mint()
    statuses, still_open = asyncio.run(_open_streams(base, token, 30))
    assert sorted(statuses) == [200] * 5 + [429] * 25, statuses
    assert still_open == 5
    # Closed streams give their places back: the next opens get them.
    again: list[int] = []

    def five_again() -> bool:
        again[:] = asyncio.run(_open_streams(base, token, 6))[0]
        return sorted(again) == [200] * 5 + [429]

    assert wait_for(five_again, timeout=30), again
