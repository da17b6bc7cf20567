"""The process pool stops at once when its run is interrupted, whatever its pipes hold."""

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

# Workers that return big results as fast as they can: an interruption then kills a worker
# halfway through sending one, most times, and the pool must still stop within seconds.
SCRIPT = textwrap.dedent(
    """
    import time
    from sim.uncertainty.executors import ProcessExecutor

    def big(_):
        return b"x" * 50_000_000

    if __name__ == "__main__":
        for attempt in range(5):
            started = time.monotonic()
            try:
                with ProcessExecutor(workers=2) as pool:
                    for _ in pool.map_chunks(big, range(10_000)):
                        if time.monotonic() - started > 1.0:
                            raise KeyboardInterrupt
            except KeyboardInterrupt:
                print(f"stopped {time.monotonic() - started:.1f}", flush=True)
    """
)


def test_an_interrupted_pool_stops_even_with_a_result_half_sent(tmp_path):
    script = tmp_path / "interrupt.py"
    script.write_text(SCRIPT)
    try:
        done = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, timeout=90
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"the pool hung after an interruption: {exc.stdout!r}") from None
    assert done.returncode == 0, done.stderr
    seconds = [float(line.split()[1]) for line in done.stdout.splitlines()]
    assert len(seconds) == 5 and max(seconds) < 15


ORPHAN = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from sim.uncertainty.executors import ProcessExecutor

    def linger(folder):
        Path(folder, str(os.getpid())).touch()
        time.sleep(60)

    if __name__ == "__main__":
        folder = sys.argv[1]
        with ProcessExecutor(workers=2) as pool:
            for _ in pool.map_chunks(linger, [folder] * 2):
                break
    """
)


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\\tZ" not in status.split("State:")[1].splitlines()[0]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc")
def test_workers_end_when_their_parent_is_killed(tmp_path):
    script = tmp_path / "orphan.py"
    script.write_text(ORPHAN)
    parent = subprocess.Popen([sys.executable, str(script), str(tmp_path)])
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("[0-9]*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = [int(p.name) for p in tmp_path.glob("[0-9]*")]
    assert len(workers) == 2
    parent.kill()  # no clean-up at all: the workers must notice by themselves
    parent.wait()
    deadline = time.monotonic() + 10
    while any(map(_running, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(_running, workers))
