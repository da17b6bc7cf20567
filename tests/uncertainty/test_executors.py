"""The process pool stops at once when its run is interrupted, whatever its pipes hold."""

import subprocess
import sys
import textwrap

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
