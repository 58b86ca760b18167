"""The limits of a sandbox as a learner's code meets them: wall clock, CPU, memory, processes,
output. Each test runs the same program under a limit it stays within and one it breaks."""

import errno
import os
import textwrap

import pytest

from autograder.sandbox import THREADS, Limits, run, thread_share
from autograder.sandbox.cgroup import hierarchies

from .running import MiB, attempt, out, python, sandbox


def test_the_wall_clock_timeout_kills_a_sleeping_process(writable):
    result = run(sandbox(writable), ["sleep", "60"], timeout=1)
    assert result.timed_out and result.seconds < 5


def test_cpu_seconds_stop_a_busy_loop(writable):
    result = python(sandbox(writable, limits=Limits(cpu_seconds=1)), "while True: pass", timeout=20)
    assert not result.timed_out and result.seconds < 10
    assert result.returncode in (128 + 24, 128 + 9)  # SIGXCPU, then SIGKILL at the hard limit


HOG = "import sys; block = b'x' * int(sys.argv[1]); print('held', flush=True)"


@pytest.mark.parametrize("use_cgroup", [True, False], ids=["cgroup", "rlimit"])
def test_a_process_over_the_memory_limit_is_stopped(writable, use_cgroup):
    box = sandbox(writable, limits=Limits(memory_bytes=256 * MiB))
    assert out(python(box, HOG, 64 * MiB, use_cgroup=use_cgroup)) == "held"
    result = python(box, HOG, 512 * MiB, use_cgroup=use_cgroup)
    assert out(result) == ""
    assert b"MemoryError" in result.stderr or result.returncode == 128 + 9


PAIR = textwrap.dedent("""
    import os, sys, time
    child = os.fork()
    block = b"x" * int(sys.argv[1])
    time.sleep(1)
    if child == 0:
        os._exit(0)
    _, status = os.waitpid(child, 0)
    print("both held" if status == 0 else f"child ended {status}", flush=True)
""")


def test_two_processes_together_over_the_memory_limit_are_stopped(writable):
    """Each under the limit, together over it: only a limit on the whole sandbox catches this."""
    control = python(sandbox(writable, limits=Limits(memory_bytes=800 * MiB)), PAIR, 250 * MiB)
    if control.enforcement.memory not in ("cgroup v1", "cgroup v2"):
        pytest.skip(f"no memory cgroup here: {control.enforcement.notes}")
    assert out(control) == "both held"
    result = python(sandbox(writable, limits=Limits(memory_bytes=400 * MiB)), PAIR, 250 * MiB)
    assert "both held" not in out(result)
    assert "memory" in result.limits_hit


BOMB = textwrap.dedent("""
    import os, sys, time
    children = 0
    try:
        for _ in range(int(sys.argv[1])):
            if os.fork() == 0:
                time.sleep(30)
                os._exit(0)
            children += 1
    except OSError as error:
        print("refused", children, flush=True)
    else:
        print("done", children, flush=True)
""")


def test_a_fork_bomb_stops_at_max_processes(writable):
    control = python(sandbox(writable, limits=Limits(max_processes=100)), BOMB, 60)
    assert out(control) == "done 60"
    result = python(sandbox(writable, limits=Limits(max_processes=20)), BOMB, 200)
    if result.enforcement.processes == "none":
        pytest.skip(f"max_processes is not enforced here: {result.enforcement.notes}")
    word, children = out(result).split()
    assert word == "refused" and int(children) < 20
    assert "processes" in result.limits_hit


def test_without_a_cgroup_the_weaker_limits_are_said(writable):
    result = python(sandbox(writable, limits=Limits(memory_bytes=256 * MiB, max_processes=20)), "pass",
                    use_cgroup=False)
    assert result.enforcement.mode == "rlimit"
    assert any("RLIMIT_AS" in note for note in result.enforcement.notes)


WRITE = attempt("open('big.bin', 'wb').write(b'x' * int(sys.argv[1]))")


def test_a_file_over_output_bytes_cannot_be_written(writable):
    box = sandbox(writable, limits=Limits(output_bytes=1 * MiB))
    assert out(python(box, WRITE, MiB // 2)) == "done"
    assert out(python(box, WRITE, 2 * MiB)) == f"refused {errno.EFBIG}"
    assert (writable / "big.bin").stat().st_size <= MiB


def test_printed_output_is_kept_up_to_output_bytes(writable):
    result = python(sandbox(writable, limits=Limits(output_bytes=MiB)), "print('x' * (3 * 2**20))")
    assert len(result.stdout) == MiB and result.output_truncated


def test_no_cgroup_is_left_behind(writable):
    result = python(sandbox(writable, limits=Limits(memory_bytes=256 * MiB, max_processes=50)), "pass")
    if not result.enforcement.mode.startswith("cgroup"):
        pytest.skip(f"no cgroup here: {result.enforcement.notes}")
    for hierarchy in hierarchies().values():
        assert list(hierarchy.own.glob(f"autograder-sandbox-{os.getpid()}-*")) == []


def test_each_of_several_jobs_gets_its_share_of_the_cores_for_its_threads():
    assert thread_share(1, {}, cores=2) == {}  # one job: TensorFlow's own default, every core
    assert thread_share(2, {}, cores=2) == dict.fromkeys(THREADS, "1")
    assert thread_share(3, {}, cores=8) == dict.fromkeys(THREADS, "2")
    assert thread_share(4, {}, cores=2) == dict.fromkeys(THREADS, "1")  # never none
    # What the instructor set is theirs: left as it is, the others shared out.
    assert thread_share(2, {"OMP_NUM_THREADS": "4"}, cores=2) == dict.fromkeys(THREADS[:2], "1")
