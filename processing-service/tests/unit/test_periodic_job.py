"""A periodic job runs its one piece of work every interval or when woken, survives a failing
run (retried with backoff) and ends when stopped."""

from __future__ import annotations

import threading

from processing_service.core.jobs import PeriodicJob


def test_a_job_runs_when_woken_and_after_a_failure_and_stops() -> None:
    runs: list[int] = []
    ran = threading.Event()

    def work() -> None:
        runs.append(len(runs))
        ran.set()
        if len(runs) == 2:
            raise RuntimeError("the database went away")

    job = PeriodicJob(name="probe", work=work, interval_s=3600.0, max_backoff_s=0.1)
    job.start()
    try:
        assert ran.wait(5)
        ran.clear()
        job.wake()  # long before the hour: the second run fails ...
        assert ran.wait(5)
        ran.clear()
        assert ran.wait(5)  # ... and is retried after the backoff, not the hour
        assert runs == [0, 1, 2]
    finally:
        job.stop()
        job.join(5)
    assert not job.is_alive()
